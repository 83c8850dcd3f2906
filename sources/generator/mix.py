"""The proportions signals follow (domain.md): trafficking type, venue by type, victims, recruitment, control.

Kept as plain tables so a reviewer can compare them with the published figures line by line.
"""

from __future__ import annotations

import numpy as np

TRAFFICKING_TYPES = {"sex": 0.65, "labor": 0.20, "sex_and_labor": 0.05, "not_specified": 0.10}

# Venue (Polaris typology code) given trafficking type; normalised at use.
VENUES_BY_TYPE = {
    "sex": {
        "escort_services": 22, "illicit_massage": 16, "residential": 14, "hotels_hospitality": 12,
        "outdoor_solicitation": 10, "remote_interactive_sexual_acts": 8, "bars_strip_clubs": 5,
        "pornography": 4, "personal_sexual_servitude": 3, "not_specified": 6,
    },
    "labor": {
        "agriculture_animal_husbandry": 17, "restaurants_food_service": 14, "hotels_hospitality": 9,
        "construction": 12, "domestic_work": 12, "traveling_sales_crews": 8, "landscaping": 5,
        "commercial_cleaning": 4, "factories_manufacturing": 4, "health_beauty_services": 3,
        "peddling_begging": 3, "forestry_logging": 2, "carnivals": 2, "illicit_activities": 2,
        "health_care": 1, "recreational_facilities": 1, "arts_entertainment": 1,
    },
    "sex_and_labor": {
        "illicit_massage": 25, "bars_strip_clubs": 15, "domestic_work": 15, "restaurants_food_service": 10,
        "residential": 10, "hotels_hospitality": 10, "illicit_activities": 5, "not_specified": 10,
    },
    "not_specified": {
        "not_specified": 60, "residential": 10, "hotels_hospitality": 10, "restaurants_food_service": 5,
        "escort_services": 5, "illicit_massage": 5, "construction": 5,
    },
}

CASE_SHARE = {"sex": 0.36, "labor": 0.36, "sex_and_labor": 0.45, "not_specified": 0.20}
MINOR_SHARE = {"sex": 0.32, "labor": 0.10, "sex_and_labor": 0.20, "not_specified": 0.20}  # ~25% of cases

CONTACT_METHODS = {"phone": 55, "text": 12, "webchat": 10, "webform": 13, "email": 7, "in_person": 3}
PEOPLE_COUNT = {1: 65, 2: 17, 3: 9, 4: 5, 5: 4}
ADULT_AGE_BANDS = {"18-20": 18, "21-23": 17, "24-26": 14, "27-29": 11, "30-38": 18, "39-47": 9, "48+": 5, "unknown": 8}
MINOR_AGE_BANDS = {"9-17": 95, "0-8": 5}

GENDER_BY_TYPE = {
    "sex": {"female": 85, "male": 8, "transgender_nonconforming": 3, "unknown": 4},
    "labor": {"male": 60, "female": 35, "unknown": 5},
    "sex_and_labor": {"female": 70, "male": 25, "unknown": 5},
    "not_specified": {"female": 60, "male": 25, "unknown": 15},
}
RECRUITMENT_BY_TYPE = {
    "sex": {"intimate_partner": 30, "internet_app": 20, "family_member": 12, "friend_acquaintance": 15,
            "false_job_offer": 8, "abduction": 2, "other": 5, "unknown": 8},
    # labor: a partner or spouse recruits too (domestic servitude), rarely (CTDC: a few percent)
    "labor": {"false_job_offer": 55, "friend_acquaintance": 12, "family_member": 8, "internet_app": 8,
              "intimate_partner": 3, "other": 7, "unknown": 10},
}
MEANS_BY_TYPE = {
    "sex": {"threats": 15, "psychological_abuse": 14, "takes_earnings": 12, "physical_abuse": 10,
            "psychoactive_substances": 10, "false_promises": 8, "sexual_abuse": 8, "restricts_movement": 6,
            "restricts_financial_access": 4, "withholds_necessities": 3, "debt_bondage": 3, "other": 3,
            "not_specified": 4},
    # labor: abuse is reported in labor situations too (CTDC: psychological and physical abuse are common)
    "labor": {"debt_bondage": 16, "takes_earnings": 15, "withholds_documents": 13, "excessive_working_hours": 12,
              "threat_of_law_enforcement": 10, "threats": 9, "false_promises": 8, "psychological_abuse": 7,
              "physical_abuse": 4, "restricts_movement": 5, "withholds_necessities": 4, "restricts_medical_care": 2,
              "sexual_abuse": 1, "other": 2, "not_specified": 4},
}
# Share of fields left empty; non-cases carry less detail, so twice as many empties there.
EMPTY_SHARE = {"people_count": 0.05, "age_band": 0.10, "gender": 0.08, "recruitment": 0.20,
               "means_of_control": 0.15, "venue_not_specified_as_empty": 0.30}
NOTES_SHARE = 0.35

# Innocuous context phrases: no digits, no @, no street words, nothing a PII scanner should flag.
SIGNAL_NOTES = (
    "caller concerned about workers living on site",
    "tip relayed by a partner agency",
    "caller unsure of exact location",
    "situation described as ongoing",
    "advertisement seen online",
    "young person seemed afraid to talk",
    "workers transported together each day",
    "caller asked for information only",
    "second hand report from a neighbour",
    "possible debt owed to employer",
    "caller requested follow up",
    "worker said documents were held by employer",
)
REFERRAL_NOTES = (
    "needs interpreter",
    "transport arranged by advocate",
    "awaiting intake call back",
    "client prefers afternoon appointments",
    "warm handoff completed",
    "referred after safety planning",
    "waitlist at receiving program",
)
OUTCOME_NOTES = {  # event type -> phrases that fit it; other event types carry no notes
    "investigation_opened": ("joint investigation with partner agency", "opened after hotline tip"),
    "charges_filed_state": ("case consolidated with related matter",),
    "disposition_plea": ("plea to amended charge",),
    "disposition_dismissal": ("victim declined to participate further",),
    "sentence": ("sentence includes probation",),
    "services_started": ("services ongoing", "intake completed"),
    "compensation_awarded": ("award paid in part",),
}


def weights(table: dict, keys: list) -> list[float]:
    return [float(table.get(k, 0)) for k in keys]


def type_weights(by_type: dict, type_name: str, keys: list) -> list[float]:
    """A trafficking type's distribution; a type without its own (sex_and_labor, not_specified) gets the
    average of the sex and labor distributions."""
    if type_name in by_type:
        return weights(by_type[type_name], keys)
    sex, labor = np.array(weights(by_type["sex"], keys)), np.array(weights(by_type["labor"], keys))
    return list(sex / sex.sum() + labor / labor.sum())
