"""Which profile field a CSV header means: synonyms, and the columns of real store and ESP exports.

Why two ranks: real exports carry several columns that could fill one field (Shopify's "Phone" and
"Default Address Phone", WooCommerce's "email" and "billing_email"). The rank-0 spelling wins over a rank-1
one wherever it stands in the file, so the suggestion does not depend on column order.

The export columns come from `export_headers.json` (next to this file), which records each vendor's header
and where it was found (Shopify customers_export.csv, WooCommerce analytics and the Customer/Order CSV
Export plugin, BigCommerce customer export, Mailchimp audience export, HubSpot contacts, Klaviyo list export).
Keys are headers normalised by `mapping.normalise_header` (lower case, letters and digits only).
"""

from __future__ import annotations

import re

CONSENT_TARGETS = ("consent.email", "consent.sms")

_RANK0: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "mail", "emailid", "courriel", "emailadresse", "correo"),
    "phone_number": (
        *("phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "tel"),
        *("telephone", "sms", "smsnumber", "handy", "telefon", "mobil"),
    ),
    "external_id": ("externalid", "customerid", "userid", "clientid", "customernumber", "memberid", "crmid"),
    "first_name": ("firstname", "first", "givenname", "forename", "fname", "vorname", "prenom", "nombre"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname", "nachname", "nom", "apellido"),
    "organization": ("organization", "organisation", "company", "companyname", "business", "employer", "firma"),
    "title": ("title", "jobtitle", "position"),
    "locale": ("locale", "language", "lang", "languagecode"),
    "image": ("image", "imageurl", "photo", "avatar", "picture"),
    "location.address1": ("address", "address1", "addressline1", "street", "streetaddress", "strasse"),
    "location.address2": ("address2", "addressline2", "apt", "suite", "apartment"),
    "location.city": ("city", "town", "stadt", "ville", "ort"),
    "location.region": ("region", "state", "province", "county", "stateprovince", "bundesland", "stateregion"),
    "location.country": ("country", "countrycode", "land", "pays", "countryregion"),
    "location.zip": ("zip", "zipcode", "postcode", "postalcode", "postal", "plz", "codepostal"),
    "location.timezone": ("timezone", "tz"),
    "location.latitude": ("lat", "latitude"),
    "location.longitude": ("lng", "lon", "long", "longitude"),
    "location.ip": ("ip", "ipaddress"),
    # Shopify "Accepts Email Marketing" / "Accepts SMS Marketing" (yes/no; legacy "Accepts Marketing");
    # Klaviyo's own export "Email Marketing Consent" / "SMS Marketing Consent" (SUBSCRIBED, UNSUBSCRIBED,
    # NEVER_SUBSCRIBED). HubSpot's "Marketing contact status" is a billing flag and BigCommerce's
    # "Receive Review/Abandoned Cart Emails?" is not newsletter consent: neither is suggested.
    "consent.email": ("acceptsemailmarketing", "acceptsmarketing", "emailmarketingconsent", "emailconsent"),
    "consent.sms": ("acceptssmsmarketing", "smsmarketingconsent", "smsconsent"),
}

# Second choices, taken only when no rank-0 column of the file claims the field.
_RANK1: dict[str, tuple[str, ...]] = {
    "email": ("billingemail",),  # WooCommerce plugin
    "phone_number": (
        *("defaultaddressphone", "billingphone", "shippingphone", "addressphone1"),  # Shopify, Woo, BigCommerce
        *("mobilephonenumber", "whatsappphonenumber"),  # HubSpot
    ),
    "external_id": ("recordid", "id"),  # HubSpot, WooCommerce legacy
    "first_name": ("billingfirstname",),
    "last_name": ("billinglastname",),
    "organization": (
        *("defaultaddresscompany", "billingcompany", "associatedcompany", "addresscompany1"),  # Shopify, Woo, ...
    ),
    "location.address1": ("defaultaddressaddress1", "billingaddress1", "addressline11"),
    "location.address2": ("defaultaddressaddress2", "billingaddress2", "addressline21"),
    "location.city": ("defaultaddresscity", "billingcity", "addresscity1"),
    "location.region": ("defaultaddressprovincecode", "billingstate", "addressstate1", "provincecode"),
    "location.country": ("defaultaddresscountrycode", "billingcountry", "addresscountry1", "cc"),  # cc: Mailchimp
    "location.zip": ("defaultaddresszip", "billingpostcode", "addresszip1"),
}

# Custom properties whose type is known from the export, whatever the sample looks like.
PROPERTY_TYPES_BY_HEADER: dict[str, str] = {
    "tags": "list",  # Shopify "Tags" ("a, b"), Mailchimp "TAGS" ('"VIP","Blog"')
    "totalspent": "number",
    "totalorders": "number",
    "totalspend": "number",
    "membererating": "number",
    "memberrating": "number",
    "taxexempt": "boolean",
}

LOOKUP: dict[str, tuple[str, int]] = {
    **{syn: (target, 1) for target, syns in _RANK1.items() for syn in syns},
    **{syn: (target, 0) for target, syns in _RANK0.items() for syn in syns},
}

# A header that names a phone number, an id, a code or a postcode is text: guessing "number" would drop a
# leading "+" or zero ("Default Address Phone" lost its "+"), or round an 18-digit id.
_TEXT_ONLY = re.compile(r"(phone|mobile|handy|fax|tel$|sms|zip|post(al)?code|^plz$|code$|ids?$|uuid|leid|euid|number$)")


def text_only(normalised: str) -> bool:
    """Whether a normalised header names something that is never a number (phones, ids, codes)."""
    return bool(_TEXT_ONLY.search(normalised))
