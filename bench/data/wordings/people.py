"""The MSP's customers, their staff, the MSP's engineers, and the noise real tickets carry."""

MSP_DOMAIN = "bluepeak-it.example"

# Engineers of the MSP: (first, last). Their names turn up in greetings and in notes.
ENGINEERS = [
    ("Tom", "Becker"),
    ("Priya", "Shah"),
    ("Dan", "Whitfield"),
    ("Aisha", "Okafor"),
    ("Marek", "Nowak"),
    ("Chloe", "Evans"),
    ("Sam", "Patel"),
    ("Jonas", "Lindqvist"),
]

# Customers: name, short name (how staff shorten it), mail domain, relative number of
# tickets, sites, a disclaimer some of their mail carries, and their staff (first, last, role).
CUSTOMERS = [
    dict(
        name="Oakridge Pharmacy",
        short="Oakridge",
        domain="oakridgepharmacy.example",
        weight=14,
        sites=["dispensary", "the front counter", "the consultation room", "Oakridge Lane branch"],
        footer="Oakridge Pharmacy Ltd is registered in England. This email is confidential and intended only for the addressee.",
        staff=[
            ("Lukas", "Brandt", "Superintendent Pharmacist"),
            ("Hannah", "Wright", "Practice Manager"),
            ("Ravi", "Desai", "Pharmacist"),
            ("Ellie", "Morgan", "Dispensing Assistant"),
            ("Grace", "Owusu", "Counter Assistant"),
            ("Mark", "Fenton", "Director"),
            ("Zofia", "Kowalczyk", "Dispenser"),
            ("Ben", "Harper", "Delivery Driver"),
            ("Mia", "Rossi", "Pharmacy Technician"),
        ],
    ),
    dict(
        name="Harbour View Dental",
        short="Harbour View",
        domain="harbourviewdental.example",
        weight=9,
        sites=["reception", "surgery 2", "the decontamination room", "upstairs"],
        footer="Harbour View Dental Practice - confidential patient information may be contained in this message.",
        staff=[
            ("Sophie", "Clarke", "Practice Manager"),
            ("James", "O'Neill", "Dentist"),
            ("Amira", "Haddad", "Dental Nurse"),
            ("Kelly", "Brooks", "Receptionist"),
            ("Peter", "Lam", "Hygienist"),
            ("Jade", "Simmons", "Receptionist"),
        ],
    ),
    dict(
        name="Kestrel Logistics",
        short="Kestrel",
        domain="kestrel-logistics.example",
        weight=10,
        sites=["the warehouse", "the transport office", "goods in", "the Leeds depot"],
        footer=None,
        staff=[
            ("Gary", "Holt", "Operations Manager"),
            ("Nina", "Petrova", "Transport Planner"),
            ("Callum", "Reid", "Warehouse Supervisor"),
            ("Farah", "Iqbal", "Accounts"),
            ("Steve", "Mullins", "Managing Director"),
            ("Kasia", "Zielinska", "Customer Service"),
            ("Lee", "Dawson", "Driver Manager"),
        ],
    ),
    dict(
        name="Bramley & Cole Solicitors",
        short="Bramley Cole",
        domain="bramleycole.example",
        weight=9,
        sites=["reception", "the second floor", "the Harrogate office", "the conveyancing team"],
        footer="Bramley & Cole LLP is authorised and regulated by the Solicitors Regulation Authority. This email and any attachments are confidential and may be legally privileged.",
        staff=[
            ("Charlotte", "Bramley", "Senior Partner"),
            ("Oliver", "Cole", "Partner"),
            ("Deborah", "Finch", "Legal Secretary"),
            ("Arjun", "Mehta", "Solicitor"),
            ("Laura", "Kemp", "Conveyancing Assistant"),
            ("Tim", "Barker", "Office Manager"),
            ("Rachel", "Sutton", "Paralegal"),
        ],
    ),
    dict(
        name="Northgate Veterinary Clinic",
        short="Northgate Vets",
        domain="northgatevets.example",
        weight=6,
        sites=["reception", "the prep room", "consult room 1"],
        footer=None,
        staff=[
            ("Fiona", "McLeod", "Clinical Director"),
            ("Tariq", "Aziz", "Vet"),
            ("Becky", "Lowe", "Receptionist"),
            ("Owen", "Pritchard", "Head Nurse"),
        ],
    ),
    dict(
        name="Summit Ridge Accounting",
        short="Summit Ridge",
        domain="summitridge-accounts.example",
        weight=8,
        sites=["the main office", "the payroll room", "reception"],
        footer="Summit Ridge Accounting Ltd. Please consider the environment before printing this email.",
        staff=[
            ("Martin", "Gallagher", "Partner"),
            ("Joanne", "Pierce", "Payroll Manager"),
            ("Wei", "Zhang", "Accountant"),
            ("Danielle", "Ross", "Bookkeeper"),
            ("Ahmed", "Karim", "Trainee Accountant"),
            ("Lucy", "Warner", "Admin"),
        ],
    ),
    dict(
        name="Willow Lane Primary School",
        short="Willow Lane",
        domain="willowlane-school.example",
        weight=7,
        sites=["the school office", "the ICT suite", "Year 4 classroom", "the staff room"],
        footer="Willow Lane Primary School. This message is intended for the named recipient only.",
        staff=[
            ("Karen", "Hughes", "School Business Manager"),
            ("Paul", "Edwards", "Headteacher"),
            ("Siobhan", "Byrne", "Teacher"),
            ("Marcus", "Green", "Teaching Assistant"),
            ("Anita", "Kaur", "Office Administrator"),
        ],
    ),
    dict(
        name="Alder Street Bakery",
        short="Alder Street",
        domain="alderstreetbakery.example",
        weight=3,
        sites=["the shop", "the bakehouse"],
        footer=None,
        staff=[
            ("Rosa", "Martinez", "Owner"),
            ("Jack", "Doyle", "Shop Manager"),
            ("Ivy", "Chen", "Admin"),
        ],
    ),
    dict(
        name="Brightwater Estate Agents",
        short="Brightwater",
        domain="brightwater-homes.example",
        weight=6,
        sites=["the high street branch", "the lettings office", "the back office"],
        footer="Brightwater Estate Agents - property misdescription disclaimer applies. Confidential.",
        staff=[
            ("Natalie", "Hayes", "Branch Manager"),
            ("Ryan", "Cooper", "Negotiator"),
            ("Priyanka", "Nair", "Lettings Manager"),
            ("Dean", "Walsh", "Valuer"),
            ("Holly", "Burns", "Administrator"),
        ],
    ),
    dict(
        name="Castleford Engineering",
        short="Castleford",
        domain="castleford-eng.example",
        weight=7,
        sites=["the drawing office", "the workshop", "the main office", "stores"],
        footer=None,
        staff=[
            ("Richard", "Lowry", "Engineering Director"),
            ("Tomasz", "Wisniewski", "CAD Technician"),
            ("Emma", "Stanton", "Purchasing"),
            ("Neil", "Archer", "Workshop Manager"),
            ("Yusuf", "Demir", "Design Engineer"),
            ("Claire", "Nolan", "Office Manager"),
        ],
    ),
    dict(
        name="Meadowbank Care Home",
        short="Meadowbank",
        domain="meadowbankcare.example",
        weight=6,
        sites=["the nurses' station", "the office", "the east wing"],
        footer="Meadowbank Care Ltd. This email may contain sensitive personal data.",
        staff=[
            ("Janet", "Whitaker", "Registered Manager"),
            ("Blessing", "Adeyemi", "Senior Carer"),
            ("Moira", "Campbell", "Administrator"),
            ("Dylan", "Price", "Maintenance"),
        ],
    ),
    dict(
        name="Pinecrest Architects",
        short="Pinecrest",
        domain="pinecrest-arch.example",
        weight=5,
        sites=["the studio", "the model room", "the meeting room"],
        footer=None,
        staff=[
            ("Isabel", "Fontaine", "Principal Architect"),
            ("Leo", "Marsh", "Architect"),
            ("Hiroshi", "Tanaka", "Visualiser"),
            ("Georgia", "Lane", "Studio Manager"),
        ],
    ),
    dict(
        name="Redfern Physiotherapy",
        short="Redfern Physio",
        domain="redfernphysio.example",
        weight=4,
        sites=["reception", "treatment room 3"],
        footer=None,
        staff=[
            ("Connor", "Redfern", "Clinic Owner"),
            ("Alice", "Young", "Physiotherapist"),
            ("Sana", "Malik", "Receptionist"),
        ],
    ),
    dict(
        name="Silverline Freight",
        short="Silverline",
        domain="silverlinefreight.example",
        weight=5,
        sites=["the port office", "the customs desk", "the main office"],
        footer="Silverline Freight Forwarding. All business is undertaken subject to our standard trading conditions.",
        staff=[
            ("Viktor", "Horvath", "Customs Manager"),
            ("Maria", "Santos", "Freight Coordinator"),
            ("Andy", "Turnbull", "Director"),
            ("Chantelle", "Griffiths", "Accounts"),
        ],
    ),
    dict(
        name="Thornbury Golf Club",
        short="Thornbury GC",
        domain="thornburygolf.example",
        weight=3,
        sites=["the pro shop", "the clubhouse bar", "the office"],
        footer=None,
        staff=[
            ("Graham", "Ellis", "Club Secretary"),
            ("Megan", "Foster", "Bar Manager"),
            ("Stuart", "Baird", "Head Professional"),
        ],
    ),
    dict(
        name="Juniper Marketing",
        short="Juniper",
        domain="junipermarketing.example",
        weight=5,
        sites=["the studio", "the office"],
        footer=None,
        staff=[
            ("Freya", "Holmes", "Managing Director"),
            ("Kwame", "Mensah", "Account Director"),
            ("Poppy", "Hale", "Designer"),
            ("Lukas", "Weber", "Developer"),
            ("Tara", "Quinn", "Account Executive"),
        ],
    ),
    dict(
        name="Ashdown Insurance Brokers",
        short="Ashdown",
        domain="ashdown-insurance.example",
        weight=6,
        sites=["the sales floor", "the claims team", "reception"],
        footer="Ashdown Insurance Brokers Ltd is authorised and regulated by the Financial Conduct Authority.",
        staff=[
            ("Philip", "Ashdown", "Managing Director"),
            ("Samantha", "Reeves", "Account Handler"),
            ("Imran", "Chaudhry", "Claims Handler"),
            ("Louise", "Dunn", "Compliance Officer"),
            ("Carl", "Benson", "Broker"),
        ],
    ),
    dict(
        name="Lakeside Hotel",
        short="Lakeside",
        domain="lakesidehotel.example",
        weight=4,
        sites=["front of house", "the back office", "the restaurant", "the function suite"],
        footer=None,
        staff=[
            ("Monique", "Dubois", "General Manager"),
            ("Aled", "Jones", "Night Manager"),
            ("Priti", "Joshi", "Reservations"),
            ("Scott", "Kerr", "Head Chef"),
        ],
    ),
    dict(
        name="Granite Peak Construction",
        short="Granite Peak",
        domain="granitepeak.example",
        weight=5,
        sites=["head office", "the site cabin", "the estimating team"],
        footer=None,
        staff=[
            ("Derek", "Shaw", "Contracts Manager"),
            ("Olga", "Ivanova", "Estimator"),
            ("Kieran", "Boyle", "Site Manager"),
            ("Michelle", "Tate", "Accounts"),
            ("Sean", "Maguire", "Director"),
        ],
    ),
    dict(
        name="Holloway Family Practice",
        short="Holloway",
        domain="hollowayfp.example",
        weight=6,
        sites=["reception", "the nurses' room", "the admin office", "room 4"],
        footer="Holloway Family Practice. This message may contain confidential patient information.",
        staff=[
            ("Nicola", "Barnes", "Practice Manager"),
            ("Emeka", "Obi", "GP Partner"),
            ("Helen", "Carver", "Receptionist"),
            ("Sunita", "Patel", "Practice Nurse"),
            ("Ross", "Fleming", "Admin"),
        ],
    ),
    dict(
        name="Fairfield Opticians",
        short="Fairfield",
        domain="fairfieldoptics.example",
        weight=3,
        sites=["the test room", "the shop floor"],
        footer=None,
        staff=[
            ("Anna", "Lindgren", "Optometrist"),
            ("Chris", "Parry", "Dispensing Optician"),
            ("Layla", "Hussain", "Receptionist"),
        ],
    ),
    dict(
        name="Copperleaf Studios",
        short="Copperleaf",
        domain="copperleaf.example",
        weight=3,
        sites=["the edit suite", "the office"],
        footer=None,
        staff=[
            ("Max", "Sterling", "Producer"),
            ("Jess", "Moreno", "Editor"),
            ("Femi", "Bello", "Motion Designer"),
        ],
    ),
    dict(
        name="St Brendan's Parish Office",
        short="St Brendan's",
        domain="stbrendans.example",
        weight=2,
        sites=["the parish office", "the hall"],
        footer=None,
        staff=[
            ("Margaret", "Doherty", "Parish Secretary"),
            ("Liam", "Walsh", "Parish Priest"),
        ],
    ),
    dict(
        name="Elmwood Lettings",
        short="Elmwood",
        domain="elmwoodlettings.example",
        weight=3,
        sites=["the office", "the maintenance team"],
        footer=None,
        staff=[
            ("Gemma", "Riley", "Director"),
            ("Bilal", "Rahman", "Property Manager"),
            ("Cath", "Moss", "Administrator"),
        ],
    ),
]

GREETINGS = """
    Hi team,
    Hi all,
    Hello,
    Morning,
    Good morning,
    Hi {eng},
    Hiya,
    Dear Support,
    Hi guys,
    Afternoon all,
    Hello IT,
    Hi there,
    Dear Sir/Madam,
    Hi {eng}, hope you're well.
"""

# {first}, {full}, {role}, {customer}, {email}, {phone}
SIGNATURES = """
    Thanks, {first}
    Thanks\\n{first}
    Kind regards,\\n{full}
    Many thanks\\n{full}\\n{role} | {customer}
    Cheers, {first}
    {first}
    Regards\\n{full}\\n{role}\\n{customer}\\nT: {phone}
    Sent from my iPhone
    Thanks\\n\\nSent from my iPhone
    Sent from Outlook for Android
    Get Outlook for iOS
    {full} | {role} | {customer} | {email}
    Thank you!\\n{first}
    Best wishes,\\n{full}\\n{role}
    Thanks in advance\\n{first} {last}
"""

PREFIXES = """
    RE:
    FW:
    Fwd:
    [EXTERNAL]
    RE: RE:
    FW: [EXTERNAL]
    Re:
    URGENT:
    URGENT -
"""

# How a caller or the desk refers to a ticket inside its own text ({n} a number).
TICKET_REFS = """
    #{n5}
    Ticket {year}-{n3}
    [Ticket #{n5}]
    (ref {n5})
    INC00{n5}
    Case 00{n6}
    re ticket {n5}
"""

# How an engineer logs a phone call or a walk-up ({title} or {body} the caller's words).
CALL_LOGS = """
    {first} from {customer} called: {body}
    Call from {full} ({short}) - {title}
    {first} rang - {title}
    Walk up at {site}: {title}
    Per phone call with {full}: {body}
    {short} - {title} (called in by {first})
    Phoned in: {body}
    Voicemail from {first} at {short}, {title}
    Teams message from {first}: {body}
"""

# Steps any session may hold, whatever the problem.
GENERIC_NOTES = """
    Remoted in via ScreenConnect.
    Called {first} back, no answer, left a voicemail.
    Spoke to {first} on the phone.
    User on site at {site}.
    {eng} picked this up from the queue.
    Took control with the user's permission.
    User working from home today.
    Asked {first} for a screenshot of the error.
"""
GENERIC_ACTIONS = """
    Restarted the PC | came back up, problem still there | no change
    Checked for Windows updates | fully up to date |
    Cleared the browser cache | no difference |
    Logged the user off and on again | no change |
"""
CLOSERS = """
    Confirmed with {first} that it's working, closing.
    User happy for the ticket to be closed.
    Left it with the user to monitor for a day.
    {first} confirmed all good.
    Closing ticket.
    Will monitor.
"""
# What some engineers write as the whole resolution.
TERSE_RESOLUTIONS = """
    Fixed
    Resolved remotely
    Done
    Sorted with user on the phone
    Fixed, see notes
"""

# Common misspellings of desk vocabulary; other typos are made letter by letter.
MISSPELLINGS = {
    "receive": "recieve",
    "receiving": "recieving",
    "password": "pasword",
    "printer": "pritner",
    "printing": "priting",
    "outlook": "outlok",
    "email": "emial",
    "emails": "emials",
    "because": "becuase",
    "working": "wokring",
    "access": "acess",
    "calendar": "calender",
    "separate": "seperate",
    "connect": "conect",
    "connecting": "conecting",
    "definitely": "definately",
    "laptop": "labtop",
    "account": "acount",
    "mailbox": "mail box",
    "onedrive": "one drive",
    "wifi": "wi fi",
    "scanner": "scaner",
    "monitor": "moniter",
    "computer": "computor",
    "restore": "restor",
    "install": "instal",
    "keyboard": "keybaord",
    "the": "teh",
    "not": "nto",
}
