"""The guard finds each Safe Harbor identifier kind, and suggests a safe replacement."""

from __future__ import annotations

import pytest

from echo_desktop.cases.deid import scan
from echo_desktop.cases.findings import PhiKind

# (text, the identifier's text, its kind): the identifier must be found, whole, as that kind.
CASES = [
    # names: titles, census pairs, relatives, lower-case typing, names that are words
    ("Mr. John Whitaker is 58.", "Mr. John Whitaker", PhiKind.NAME),
    ("Seen by Dr. Angela Reyes today.", "Dr. Angela Reyes", PhiKind.NAME),
    ("Patient's daughter Maria called.", "Patient's daughter Maria", PhiKind.NAME),
    ("pt seen by john smith today", "john smith", PhiKind.NAME),
    ("Hope Brown is a 34-year-old woman.", "Hope Brown", PhiKind.NAME),
    ("Accompanied by his son Mark, who drives.", "his son Mark", PhiKind.NAME),
    ("Her granddaughter April helps with meds.", "Her granddaughter April", PhiKind.NAME),
    ("spoke w/ dr patel about the MRI", "dr patel", PhiKind.NAME),
    ("fax to the office attn carla", "carla", PhiKind.NAME),
    # a name no list pairs: shape and cues, and the span stops at the name
    ("Seen by Patricia Okonjo on March 3, 2024.", "Patricia Okonjo", PhiKind.NAME),
    ("Seen by Margaret Smith on Monday.", "Margaret Smith", PhiKind.NAME),
    ("Rosario Benavidez-Quintero came in today.", "Rosario Benavidez-Quintero", PhiKind.NAME),
    ("Referred by Ifeoma Chukwu, MD, for review.", "Ifeoma Chukwu", PhiKind.NAME),
    ("Rodriguez was seen in the ED.", "Rodriguez", PhiKind.NAME),
    ("I told Hernandez to hold the dose.", "Hernandez", PhiKind.NAME),
    ("rodriguez was seen last week", "rodriguez", PhiKind.NAME),
    ("Spoke with Ebere's father by phone.", "Ebere's", PhiKind.NAME),
    ("Her husband of 40 years, Eusebio, drives her.", "Eusebio", PhiKind.NAME),
    ("seen by margaret okonjo today", "margaret okonjo", PhiKind.NAME),
    # locations
    ("Lives in Farmington.", "Farmington", PhiKind.LOCATION),
    ("she lives in gallup with her sister", "gallup", PhiKind.LOCATION),
    ("at 1420 Cedar Ridge Rd, Gallup, NM 87301.", "1420 Cedar Ridge Rd, Gallup, NM 87301", PhiKind.LOCATION),
    ("Mail to PO Box 1187 please.", "PO Box 1187", PhiKind.LOCATION),
    ("He grew up in McKinley County.", "McKinley County", PhiKind.LOCATION),
    (
        "He works at the Gallup Walmart distribution center.",
        "the Gallup Walmart distribution center",
        PhiKind.LOCATION,
    ),
    ("Originally from Tohatchi, she moved for work.", "Tohatchi", PhiKind.LOCATION),
    ("ZIP 87301 is far from dialysis.", "87301", PhiKind.LOCATION),
    ("she works at the safeway in town", "safeway", PhiKind.LOCATION),
    ("a 60 yo woman from nageezi with copd", "nageezi", PhiKind.LOCATION),
    ("admitted to christus hospital overnight", "christus hospital", PhiKind.LOCATION),
    ("falls x2 since thanksgiving", "thanksgiving", PhiKind.DATE),
    ("due in october", "october", PhiKind.DATE),
    # dates: every format; the suggestion keeps only the year
    ("seen on 03/14/2025 for", "03/14/2025", PhiKind.DATE),
    ("wound checked on 11/20.", "11/20", PhiKind.DATE),
    ("Surgery 14 Mar 2025.", "14 Mar 2025", PhiKind.DATE),
    ("Pathology back March 3rd.", "March 3rd", PhiKind.DATE),
    ("Admitted Jan 5, 2025.", "Jan 5, 2025", PhiKind.DATE),
    ("Echo 2025-03-14 normal.", "2025-03-14", PhiKind.DATE),
    ("She fell on the 5th.", "5th", PhiKind.DATE),
    ("Visit Monday, April 7.", "Monday, April 7", PhiKind.DATE),
    ("Diagnosed in June 2019.", "June 2019", PhiKind.DATE),
    ("Fell over Thanksgiving 2024.", "Thanksgiving 2024", PhiKind.DATE),
    ("DOB 7/2/61.", "7/2/61", PhiKind.DATE),
    # ages over 89
    ("A 92-year-old man.", "92-year-old", PhiKind.AGE),
    ("Aged 95, she lives alone.", "Aged 95", PhiKind.AGE),
    ("91 yo F with a fall.", "91 yo", PhiKind.AGE),
    ("A woman in her 90s.", "in her 90s", PhiKind.AGE),
    ("He is ninety-three and independent.", "ninety-three", PhiKind.AGE),
    # contacts
    ("Call (505) 555-0142 today.", "(505) 555-0142", PhiKind.PHONE),
    ("Cell 505.555.0190.", "505.555.0190", PhiKind.PHONE),
    ("Her Mexican cell is +52 55 1234 5678.", "+52 55 1234 5678", PhiKind.PHONE),
    ("Fax results to 505-555-0199.", "505-555-0199", PhiKind.FAX),
    ("Reply to maria.lopez@example.com.", "maria.lopez@example.com", PhiKind.EMAIL),
    ("Portal: https://pump.example.org/u/7734", "https://pump.example.org/u/7734", PhiKind.URL),
    ("Images at www.imageshare.example.com/case/8812.", "www.imageshare.example.com/case/8812", PhiKind.URL),
    ("PACS at 10.2.33.14 was down.", "10.2.33.14", PhiKind.IP),
    ("From 2001:db8:85a3::8a2e:370:7334 today.", "2001:db8:85a3::8a2e:370:7334", PhiKind.IP),
    # numbers
    ("SSN 123-45-6789 on the fax.", "123-45-6789", PhiKind.SSN),
    ("MRN 00482913. Admitted.", "00482913", PhiKind.ID),
    ("member ID XJH448213907.", "XJH448213907", PhiKind.ID),
    ("Nurse licence RN-448812 noted.", "RN-448812", PhiKind.ID),
    ("Account # 000112938847 overdue.", "000112938847", PhiKind.ID),
    ("Truck plate NM 4KX-902 in the crash.", "4KX-902", PhiKind.VEHICLE),
    ("VIN 1FTFW1ET5DFC10312 on file.", "1FTFW1ET5DFC10312", PhiKind.VEHICLE),
    ("Pump serial number PMP-7734-22981 alarmed.", "PMP-7734-22981", PhiKind.DEVICE),
]


@pytest.mark.parametrize(("text", "identifier", "kind"), CASES, ids=[f"{c[2]}:{c[1]}" for c in CASES])
def test_each_kind_is_found_whole(text: str, identifier: str, kind: PhiKind) -> None:
    start = text.index(identifier)
    matching = [f for f in scan(text) if f.start == start and f.end == start + len(identifier)]
    assert [f.kind for f in matching] == [kind], scan(text)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Seen March 3, 2024 in clinic.", "2024"),
        ("Seen March 3 in clinic.", "[date]"),
        ("A 92-year-old woman.", "90 or older"),
        ("He was seen by his mother, Dr. Angela Reyes, a pediatrician.", "his mother"),
        ("Maria, her daughter, called.", "Her daughter"),  # it starts the sentence
        ("Plan discussed with John Smith today.", "the patient"),
        ("Mr. John Whitaker returned.", "The patient"),
        ("Referred by Dr. Reyes.", "the physician"),
        ("Call (505) 555-0142.", "[phone]"),
        ("Fax 505-555-0199.", "[fax]"),
    ],
)
def test_each_finding_suggests_a_safe_replacement(text: str, suggestion: str) -> None:
    (finding,) = scan(text)
    assert finding.suggestion == suggestion
    assert finding.text not in finding.suggestion


def test_a_text_with_several_kinds_reports_each_in_order() -> None:
    text = "Mr. John Whitaker, MRN 00482913, seen 03/14/2025; call 505-555-0142."
    assert [f.kind for f in scan(text)] == [PhiKind.NAME, PhiKind.ID, PhiKind.DATE, PhiKind.PHONE]


def test_empty_and_blank_text_is_clean() -> None:
    assert scan("") == []
    assert scan("  \n\t ") == []
