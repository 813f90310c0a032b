"""Labels that appear only in the short-titles slice: titles as a busy desk logs them."""

PROBLEMS = [
    dict(
        label="new_phone_setup",
        domain="hardware",
        titles="""
            new phone
            Set up new mobile
            Company phone setup
            new iphone for {user}
            Replacement mobile needed
            Phone upgrade
        """,
    ),
    dict(
        label="meeting_room_av",
        domain="hardware",
        titles="""
            Meeting room screen not working
            projector
            Boardroom TV no signal
            Can't present in meeting room
            Room display blank
            conference room camera
        """,
    ),
    dict(
        label="door_access",
        domain="other",
        titles="""
            Door fob not working
            access card
            Can't get in the building - fob
            New door fob for {user}
            Entry system down
        """,
    ),
    dict(
        label="cctv",
        domain="other",
        titles="""
            CCTV not recording
            cameras offline
            Can't view CCTV on phone
            NVR down
            CCTV footage needed
        """,
    ),
    dict(
        label="guest_wifi_password",
        domain="networking",
        titles="""
            guest wifi password
            Wifi code for visitors
            Guest wifi not working
            Change guest wifi key
        """,
    ),
    dict(
        label="card_machine",
        domain="other",
        titles="""
            card machine offline
            PDQ not connecting
            Card terminal won't go online
            chip and pin down
        """,
    ),
    dict(
        label="domain_renewal",
        domain="cloud",
        titles="""
            Domain renewal
            website down - domain expired?
            Renew our domain name
            Domain expiry notice
        """,
    ),
    dict(
        label="website_update",
        domain="cloud",
        titles="""
            Website change request
            Update opening hours on website
            website form not sending
            Website contact page broken
        """,
    ),
    dict(
        label="equipment_order",
        domain="hardware",
        titles="""
            Quote for new laptop
            Order 2 monitors
            hardware request
            Need a headset
            Quote required - docking stations
            Equipment order for new starter
        """,
    ),
    dict(
        label="password_manager",
        domain="security",
        titles="""
            Keeper vault locked
            password manager access
            Can't get into LastPass
            Shared passwords folder missing
        """,
    ),
]
