"""Identifier (PII) detection and masking for agency drops.

Feeds must arrive anonymized; this package lets ingest catch a drop that still carries a phone number,
e-mail, SSN, street address, date of birth, social-media handle, driver's licence, IP address, vehicle plate,
passport or A-number, or payment card number in any string value.
"""

from .mask import mask_column, mask_digits, mask_text
from .scan import RULES, PiiHit, scan_frame, scan_text, scan_values

__all__ = ["RULES", "PiiHit", "mask_column", "mask_digits", "mask_text", "scan_frame", "scan_text", "scan_values"]
