"""Word lists the detectors share: look-alikes that are never PHI, and words that need context.

All lower case. Hand-written: each list is short enough to read and argue about in review.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Clinical eponyms and named scales: capitalised, often names or places, never PHI in a case.
EPONYMS = _words(
    """
    addison alzheimer apgar asperger babinski barrett bell bence behcet braden breslow brugada
    buerger burkitt charcot chiari child-pugh christmas cobb coombs corrigan coxsackie
    creutzfeldt crohn curb cushing denver dix-hallpike doppler down dressler dubin duchenne
    dupuytren ebola edinburgh ehlers epley epstein epstein-barr ewing fabry fallot foley
    folstein fontan framingham friedreich gaucher glasgow gleason graves guillain guillain-barre
    hallpike hantavirus hashimoto heimlich hickman hirschsprung hodgkin holter homan horner
    hunt-hess huntington kaposi karnofsky kawasaki kernig killip klinefelter korsakoff krabbe
    kussmaul lachman lewy lown ludwig lyme lynch mallampati mallory marfan mcburney mcmurray
    meckel meniere mobitz montgomery nissen non-hodgkin norwalk osgood paget pap papanicolaou
    parkinson peyronie phalen pott prinzmetal raynaud reiter reye rinne romberg rome roux
    salter-harris schilling sjogren sjögren snellen stevens-johnson swan swan-ganz takayasu
    tanner tay-sachs tinel tourette trendelenburg valsalva virchow wallenberg wegener wenckebach
    wernicke whipple whipple's wilms wilson wolff wolff-parkinson-white zika zollinger ranson
    meld nyha gcs cage audit phq gad epds ascvd chads cha2ds2-vasc hasbled has-bled fib-4 apri
    moca mmse bethesda achilles beighton jobe finkelstein homans rovsing brudzinski lhermitte
    cormack lehane caprini centor mcisaac alvarado balthazar rockall blatchford truelove metavir
    ishak knodell spurling durie binet dawson
    """
)

# Words after a capitalised word that make it a disease, sign or scale, not a person or place.
EPONYM_FOLLOWERS = _words(
    """
    disease diseases syndrome syndromes lymphoma sarcoma tumor tumour palsy sign signs scale
    score scores criteria classification stage staging class test tests reflex reflexes maneuver
    manoeuvre procedure operation repair phenomenon triad ulcer ulcers disorder dementia chorea
    encephalopathy fever virus infection fracture catheter line bag tube cirrhosis thyroiditis
    anomaly anemia anaemia esophagus oesophagus node nodes body bodies coma cyst questionnaire
    inventory index equation formula rule rules method position cells grade grades murmur
    shunt pouch approach technique surgery nodule nodules ink consensus collar depot positive
    negative screen screening adl adls iadl iadls echo scales protocol
    """
)

# First names, last names and place names that are also everyday English: they need context
# ("Mr.", "her daughter", a first or last name beside them) before they count as a name.
COMMON_WORDS = _words(
    """
    a an and the of in on at to by for from with as or but if so no not yes he she it we they
    his her its our their my your me him us them this that these those there here then than when
    where who what which why how all any some each every few more most many much one two hope
    faith grace joy charity patience prudence constance mercy honor honour glory trinity destiny
    harmony serenity unique precious angel star sky summer autumn winter spring dawn june april
    may august march will bill mark grant rose young white brown black green gray grey long
    short king love hill wood woods stone ford price cash bell bush best free hale strong sharp
    little small pope bishop cook baker miller fisher hunter porter walker turner mason
    carpenter gardner cooper potter weaver sawyer carter parker taylor marshall dean major
    sterling penny holly ginger candy misty sandy stormy crystal amber ruby pearl ivy iris lily
    daisy jasmine olive sage rich guy art jack frank pat sue don gene ray bob chip buck cliff
    dale glen heath lane reed rod rock wade ward miles chase page royal sunny honey early late
    may-be lee son case cases chart chase care cares well wells hall field fields banks bank
    lake lakes river rivers park parks street north south east west center centre main new old
    good hart heart low high hardy hurt pain payne cross rush swift wise worth kind christian
    christmas easter golden silver gold iron steel water waters rain snow storm frost day days
    night knight man men may june echo see normal mobile union liberty independence commerce enterprise
    progress justice harmony unity friendship paradise eden plain plains ideal marathon bath
    mercy home hospital clinic medical center health county city town village valley canyon mesa
    ridge rock springs spring falls beach bay harbor harbour port mount mountain view vista
    patient doctor nurse family mother father rocky colon
    """
)

# Function words, everyday verbs and shorthand: never a name or a place on their own.
STOPWORDS = _words(
    """
    a an and the of in on at to by for from with as or but if so no not yes he she it we they
    his her its our their my your me him us them this that these those there here then than when
    where who what which why how all any some each every few more most many much one two i am is
    are was were be been being has have had do does did will would shall should can could may
    might must continue continued start started stop stopped need needs check repeat consider
    increase decrease return call see refer order obtain recheck monitor add hold taper titrate
    discuss plan try use take get go come also given give note noted denies reports states about
    above after again against also although always among another around away back because before
    behind below beside besides between beyond both came come comes coming daily does done down
    during either else enough even ever except far further had hardly having hence however into
    just last later least less like made make makes many maybe meanwhile more moreover near
    nearly neither never next nor now off often once only onto other others otherwise out over
    own per perhaps quite rather really same seen since still such than that though through thus
    till today together tomorrow too toward towards under until up upon very via was what
    whatever whether while whole whom whose within without yet yesterday tonight week weeks
    month months year years ago prn bid tid qid qd prior status post left right both mild severe
    acute chronic stable follow follows new pt pts hx dx tx rx sx fx abd ext neg pos wnl nad rrr
    ctab bs cc ml mg mcg units
    """
)

PEOPLES = _words(
    """
    navajo dine diné hopi apache zuni lakota dakota nakota sioux cherokee choctaw chickasaw
    creek seminole ute paiute shoshone arapaho cheyenne crow blackfeet blackfoot ojibwe
    chippewa cree comanche kiowa pueblo tewa tiwa keres yupik yup'ik cupik inupiaq inuit aleut
    alutiiq tlingit haida athabascan athabaskan hmong somali marshallese chuukese samoan
    tongan haitian vietnamese cambodian laotian mexican hispanic latina latino latinx white
    black asian caucasian african american native amish mennonite punjabi sikh arab arabic
    filipino filipina korean chinese japanese guatemalan salvadoran honduran cuban dominican
    puerto rican spanish english french creole kreyol mixtec zapotec quiche k'iche' mam
    nepali bhutanese burmese karen congolese sudanese eritrean ethiopian afghan iraqi syrian
    ukrainian russian polish indian pakistani bengali rohingya gullah geechee penobscot
    passamaquoddy maliseet wabanaki mi'kmaq micmac czech german volga cajun cape-verdean verdean
    lumbee ho-chunk ojibwa anishinaabe potawatomi menominee meskwaki kickapoo osage pawnee ponca
    mandan hidatsa arikara assiniboine salish kootenai shoshone-bannock bannock nez yakama makah
    quinault tlingit tsimshian gwich'in inupiat iñupiaq koyukon dena'ina yup'ik cup'ik aleut
    tohono o'odham akimel pima yaqui havasupai hualapai yavapai mojave chemehuevi washoe paiute
    hutterite basque sami sámi chamorro palauan fijian maori hawaiian polynesian micronesian
    pohnpeian yapese kosraean irish italian scottish welsh dutch norwegian swedish danish
    finnish greek portuguese brazilian jamaican nigerian igbo yoruba ghanaian kenyan liberian
    burmese chin kachin tibetan mien lao khmer thai indonesian malaysian bosnian albanian
    armenian lebanese egyptian moroccan iranian persian kurdish turkish hebrew yiddish
    french-speaking spanish-speaking cajun-french
    """
)
"""Peoples, nationalities and languages: they say who, never which person, and never where."""

TITLES = frozenset(
    {
        "mr",
        "reverend",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sr",
        "sra",
        "srta",
        "sgt",
        "cpl",
        "pvt",
        "capt",
        "maj",
        "cmdr",
        "det",
        "rev",
        "ofc",
    }
)
"""Courtesy and professional titles before a name (with or without a period)."""

RELATIVES = _words(
    """
    mother father mom mum dad mama papa daughter son wife husband spouse partner sister brother
    sibling aunt uncle niece nephew cousin grandmother grandfather grandma grandpa granny
    grandson granddaughter grandchild stepmother stepfather stepson stepdaughter stepdad stepmom
    boyfriend girlfriend fiance fiancé fiancee fiancée caregiver guardian friend neighbor
    neighbour roommate coworker co-worker boss employer landlord godmother godfather in-law
    mother-in-law father-in-law son-in-law daughter-in-law sister-in-law brother-in-law
    great-grandmother great-grandfather great-grandson great-granddaughter great-grandma
    great-grandpa great-aunt great-uncle grandniece grandnephew half-brother half-sister ex
    ex-husband ex-wife ex-boyfriend ex-girlfriend stepsister stepbrother goddaughter godson
    great-niece great-nephew grandniece grandnephew dil sil mil fil bil
    """
)
"""People whose names are PHI too, and whose role makes a safe replacement ("her mother")."""

STATE_NAMES = _words(
    """
    alabama alaska arizona arkansas california colorado connecticut delaware florida georgia
    hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
    michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon
    pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming
    """
) | frozenset(
    {"new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota",
     "rhode island", "south carolina", "south dakota", "west virginia", "district of columbia"}
)  # fmt: skip
"""A state alone may stay (Safe Harbor removes only places smaller than a state)."""

STATE_ABBREVIATIONS = _words(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
    NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI
    """
)

# Abbreviations that are also everyday words or clinical shorthand: a state only beside a place.
AMBIGUOUS_STATE_ABBREVIATIONS = frozenset(
    {"IN", "OR", "ME", "HI", "OK", "MD", "PA", "MS", "ID", "CO", "DE", "LA", "AL", "MA", "OH", "MI",
     "MO", "NE", "SC", "VA", "PR", "GA", "CT", "UT", "DC"}
)  # fmt: skip

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
WEEKDAYS = _words(
    """
    monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat
    sunday sun
    """
)

# Department, service and team words: "seen by Physical Therapy" names no person.
SERVICE_WORDS = _words(
    """
    medicine surgery therapy cardiology nephrology oncology neurology psychiatry pediatrics
    radiology gastroenterology gi infectious internal physical occupational speech social work
    services service department dept team staff health behavioral emergency urgent care hub
    spoke echo clinic pharmacy hospice palliative dermatology endocrinology pulmonology
    rheumatology urology ophthalmology ent ortho orthopedics orthopaedics hepatology obstetrics
    gynecology transplant hematology nutrition dietitian management program court police ems
    ambulance transport lab laboratory imaging rehab nursing residents resident fellow fellows
    attending consult consults office unit ward floor center centre hospital urgent triage
    """
)

# Everyday and clinical words that are also common US surnames ('Rash', 'Head', 'Colon'): a
# capitalised one before 'was' or after 'told' is the word, not a person.
SURNAME_WORDS = _words(
    """
    brothers sisters sons daughters cousins aunts uncles parents kids children grandchildren
    hunt mills fox ball moss gross colon pace house noble walls moon key keys sweet head bird
    minor smart bunch camp law blue self lord quick hatch fish land deal ash hand fair story link
    light root block means brand read dove pool flood lemon cheek ring alley blank cloud urban
    wing shell way bone power box thorn edge peak card shade close cable rash judge fine cave
    belt stack sales stock pride true peace ferry wild speed bolt held frame shore click place
    word guess null apple hair money child book nail folk lock race treat palm luck angle drain
    brush blow bias duty blood born rule plant fix brake sink mix duck beer back chest knee neck
    heart hip leg arm foot feet skin eye ears nose lip lips tooth teeth gum liver kidney lung
    stone stones sugar salt diet weight pulse fever cough pain labs lab wound ulcer sore sores
    bruise swelling mass lump cyst stool urine bowel gait tone mood sleep rest walk walks meals
    pill pills dose doses shot shots test tests scan scans film films culture cultures sample
    biopsy result results exam imaging level levels count counts rate rates flow pressure
    sugar stroke fall falls burn burns cut cuts bite bites wheeze rales crackles murmur rub
    gallop thrill bruit lead chart notes note plan history visit visits call calls son boy girl
    baby infant man woman lady men women kids kid wife husband mother father daughter friend
    family parent parents mom dad care cares home work job jobs school church town city county
    state land farm ranch camp west east north south hill hills wood woods field fields
    """
)

# Values that fill an EHR field without naming anyone or anywhere ('Employer: retired', 'PCP: none').
FIELD_FILLERS = frozenset(
    {"none", "n/a", "na", "unknown", "unk", "self", "same", "declined", "pending", "retired",
     "unemployed", "disabled", "homemaker", "student", "self-employed", "on file", "see above",
     "not applicable", "not employed", "home", "telehealth", "video", "phone", "remote",
     "outpatient", "inpatient", "clinic", "hospital", "er", "ed", "icu", "deceased", "patient",
     "hub", "spoke", "male", "female", "m", "f", "tbd", "unassigned", "homeless", "none listed",
     "not listed", "no", "yes", "room", "exam", "bed", "bay", "floor", "ward", "unit", "mail",
     "order", "grade", "alert", "awake", "oriented", "stable", "triage", "hospitalist", "sedated",
     "intubated", "team", "service", "staff", "on call", "covering", "float", "agency"}
)  # fmt: skip


NAMED_THINGS = frozenset(
    {"ryan white", "tommy john", "sister mary joseph", "mary joseph", "austin flint", "ann arbor",
     "san francisco", "st louis", "saint louis", "sierra leone", "costa rica", "el salvador",
     "puerto rico", "new zealand", "south africa", "sri lanka", "burkina faso", "ivory coast",
     "papua new guinea", "marshall islands", "cape verde", "boston scientific", "american samoa",
     "virgin islands", "west nile",
     "rocky mountain", "lone star", "black hills", "great plains", "four corners", "lou gehrig",
     "hunt and hess", "blue cross", "blue shield", "west virginia", "north dakota", "south dakota",
     "agent orange", "korean war", "gulf war"}
)  # fmt: skip
"""Names of people or places that name a program, a sign, a stage, a country or a region."""

COUNTRIES = _words(
    """
    afghanistan albania algeria angola argentina armenia australia austria bangladesh belarus
    belgium belize benin bhutan bolivia bosnia botswana brazil bulgaria burma burundi cambodia
    cameroon canada chad chile china colombia congo croatia cuba cyprus czechia denmark djibouti
    dominica ecuador egypt eritrea estonia eswatini ethiopia fiji finland france gabon gambia
    germany ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india
    indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya kiribati kosovo
    kuwait laos latvia lebanon lesotho liberia libya lithuania madagascar malawi malaysia mali
    malta mauritania mexico micronesia moldova mongolia morocco mozambique myanmar namibia nauru
    nepal netherlands nicaragua niger nigeria norway oman pakistan palau palestine panama paraguay
    peru philippines poland portugal qatar romania russia rwanda samoa senegal serbia singapore
    slovakia slovenia somalia spain sudan suriname sweden switzerland syria taiwan tajikistan
    tanzania thailand togo tonga tunisia turkey turkmenistan tuvalu uganda ukraine uruguay
    uzbekistan vanuatu venezuela vietnam yemen zambia zimbabwe guam tokelau
    """
)
"""Countries: a place, but never one smaller than a state."""


STATE_CODES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR", "guam": "GU",
}  # fmt: skip
"""Each state's postal code, by its name in lower case."""


BRANDS = _words(
    """
    norco nexplanon depo-provera mounjaro ozempic wegovy zepbound humira jardiance farxiga eliquis
    xarelto lantus humalog novolog suboxone sublocade vivitrol narcan kloxxado epclusa mavyret
    harvoni vosevi biktarvy descovy truvada apretude cabenuva dexcom omnipod libre freestyle
    tandem medtronic azure entresto keppra lasix coumadin plavix lipitor crestor synthroid zoloft
    prozac seroquel abilify wellbutrin trulicity victoza tresiba toujeo basaglar januvia glucophage
    flomax proscar ventolin symbicort advair spiriva trelegy breo dupixent otezla enbrel stelara
    skyrizi rinvoq xeljanz kesimpta ocrevus tecfidera aimovig ajovy emgality nurtec ubrelvy botox
    prolia reclast fosamax tylenol advil motrin aleve benadryl zyrtec claritin flonase nexium
    prilosec pepcid zofran phenergan ativan xanax klonopin valium ambien adderall ritalin concerta
    vyvanse strattera lexapro celexa cymbalta effexor paxil lamictal depakote tegretol neurontin
    lyrica ultram oxycontin percocet vicodin dilaudid methadose fioricet imitrex creon xifaxan
    lactulose kayexalate epogen procrit aranesp renvela sensipar lokelma veltassa kerendia
    glooko medtrum medicaid medicare gofundme mychart epic cerner zoom doximity uptodate abbott
    assurity boston silverado chevrolet chevy toyota tacoma tundra dodge ram subaru honda nissan
    jeep gmc sierra f-150 f150 kia hyundai ranger explorer escape fusion camry corolla civic accord
    malibu impala tahoe suburban wrangler durango outback forester rav4 crv cr-v odyssey buick
    lacrosse bcbs cenex altima sentra rogue pathfinder frontier titan maxima versa
    """
)
"""Brands of medicines, devices and services, capitalised like names and never a person or place."""


CONTRACTIONS = _words(
    """
    hasnt doesnt didnt isnt wasnt cant wont dont shouldnt couldnt wouldnt havent arent werent
    ive im youre theyre thats whats ok okay ok'd ok's oked okd lol pls plz thx tmrw i'd i'll i'm
    i've we'd we'll we're we've you'd you'll he'd she'd they'd it'd abt bc thru w/o tho rn fyi
    """
)
"""Typed without their apostrophe, or chat shorthand: never a name after 'mom', 'pt' or 'hub'."""
