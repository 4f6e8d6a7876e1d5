from klaviyo_core.cli import run

run()
