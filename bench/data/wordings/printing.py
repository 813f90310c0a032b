"""Printing and scanning: one printer behind offline queues, scanning, drivers and print quality."""

PROBLEMS = [
    dict(
        label="printer_offline",
        domain="printing",
        alt=("hardware", "networking"),
        weight=62,
        titles="""
            printer
            Printer offline
            printer not working
            Can't print
            cant print!!
            Printer showing offline
            Print jobs stuck in queue
            Nothing is printing
            {site} printer offline
            Printer offline on all PCs
            HP printer says offline
            Canon copier not printing from PCs
            Documents sit in the print queue
            Unable to print to the Ricoh
            printing issue
            Printer not responding
            cant print to main printer
            All printing stopped
            Printer has gone offline again
        """,
        bodies="""
            Our main printer in the office is showing as offline on every computer. It's switched on and the screen looks normal.
            I send something to print and it just sits in the queue saying error, nothing comes out.
            Nobody at {site} can print this morning, the printer was fine yesterday.
            The big Canon says offline on my laptop, but Sarah can print to it from hers.
            Printing stopped after the power cut on Friday, we've turned the printer off and on but it still shows offline.
            Print queue is full of jobs from this morning and nothing is coming out, we have a delivery to send.
            My PC says the printer is offline even though it's right next to me and printing other people's stuff
            Can't print anything at all, tried restarting the computer
        """,
        resolutions="""
            Printer had picked up a new DHCP address after the power cut so the port pointed at the old IP. Set a DHCP reservation and updated the port.
            Print spooler was hung with a corrupt job. Stopped the spooler, cleared C:\\Windows\\System32\\spool\\PRINTERS, started it again, queue printing.
            Queue was using a WSD port that kept dropping. Replaced it with a Standard TCP/IP port to the printer's static IP, shows online.
            SNMP status was enabled on the port and the printer doesn't answer SNMP, so Windows marked it offline. Unticked SNMP status, printer online.
            Printer was on the guest wifi after someone pressed the WPS button. Put it back on the office network with a fixed address, all PCs printing.
            Restarted the print spooler on the print server and cleared the stuck jobs. Everyone printing again.
            Network cable to the printer was unplugged behind the desk by the cleaners. Plugged back in, jobs came out.
        """,
        checks="""
            Can you ping the printer? | no reply on the old IP | pings fine | replies but from a different address
            Is it offline for everyone or one PC? | whole office | just this PC | everyone on the first floor
            What port is the queue using? | WSD port | TCP/IP port to 192.168.1.50 | port points at the old IP
            Does the printer's own display show an error? | no, ready | paper jam cleared earlier | shows IP as 169.254.x.x
        """,
        actions="""
            Restarted the print spooler and cleared the queue | stuck jobs gone, test page printed | jobs stuck again straight away
            Changed the port to a Standard TCP/IP port | printer shows online |
            Set a DHCP reservation for the printer | address fixed at .50 |
            Disabled SNMP status on the printer port | printer shows ready |
            Power cycled the printer | came back with a valid address | still offline
        """,
        notes="""
            Printer is an HP LaserJet M404 on the office LAN.
            Print server is the old 2016 box in the comms cupboard.
            Customer had a power cut over the weekend.
        """,
    ),
    dict(
        label="scan_to_email",
        domain="printing",
        alt=("email",),
        weight=34,
        titles="""
            Scan to email not working
            scanner won't send emails
            Scanning to email stopped
            Can't scan to email from copier
            Scan to email error on the Ricoh
            scans not arriving in inbox
            Copier scan to mail failing - SMTP error
            scan2email broken
            Scanned documents not coming through
            Can't email scans from the printer anymore
            Scan to email - authentication error
        """,
        bodies="""
            When I scan on the copier and choose my email address, it says sent but nothing ever arrives.
            The Ricoh shows a transmission error whenever we try to scan to email, this started on Monday.
            We use the printer to scan documents to ourselves and none of them are coming through.
            The scanner gives an SMTP authentication failed message when sending scans to email.
            Scans to email stopped the same day the password for the scanner account was changed I think.
        """,
        resolutions="""
            Microsoft turned off basic SMTP auth for the tenant. Moved the copier to the SMTP relay connector using the office's static IP, scans arriving.
            The scanner@ mailbox password had expired. Set a new password and set it to never expire, updated the address book on the copier.
            SMTP server on the copier was still the old host after the email migration. Updated it to smtp.office365.com on 587 with TLS, test scan arrived.
            Scanner mailbox had MFA enforced by the new security defaults. Excluded it via a conditional access policy restricted to the office IP, scan to email working.
            Scans were arriving but being quarantined as bulk mail. Released them and added a transport rule to bypass spam filtering for the copier.
        """,
        checks="""
            What error does the copier show? | SMTP authentication failed | transmission error 801 | says sent but nothing arrives
            Which SMTP server is configured? | smtp.office365.com 587 | old mail host | direct send to the MX
            Is the scanner mailbox signing in? | sign-in logs show basic auth blocked | password expired | MFA required
        """,
        actions="""
            Updated SMTP settings on the copier web page | test scan arrived in the inbox | still fails
            Reset the scanner mailbox password | copier signs in |
            Set up an SMTP relay connector for the office IP | relay accepted the test email |
            Released the quarantined scans | scans delivered |
        """,
        notes="""
            Copier is leased, the Ricoh engineer's details are on the front.
            Logged into the copier web interface with the admin password from the docs.
        """,
    ),
    dict(
        label="scan_to_folder",
        domain="printing",
        alt=("networking",),
        weight=14,
        titles="""
            Scan to folder not working
            scanning to network folder failed
            Copier can't save scans to the shared drive
            Scan to PC broken
            SMB scan error
            Scans not appearing in the scans folder
            Scan to my documents stopped working
        """,
        bodies="""
            When I scan to my folder on the copier it says connection failed, scan to email still works.
            We scan everything into the Scans folder on the server and since last week nothing appears there.
            The copier says it can't log in to the destination when I scan to the PC.
            Since my PC was replaced I can't scan to my desktop anymore.
        """,
        resolutions="""
            Server had SMB1 switched off and the old copier only spoke SMB1. Updated copier firmware to enable SMB2 and re-entered the path.
            The scan service account password was changed during the password reset. Updated the credentials in the copier address book.
            Destination was the user's old PC name. Created a share on the new PC and updated the address book entry.
            Share permissions on Scans were reset by the migration. Gave the scanner account modify rights, scans landing.
        """,
        checks="""
            Which path is the copier scanning to? | \\\\server\\scans | the old PC's shared folder | a share on the NAS
            What error does the copier show? | connection failed | authentication error | the path was not found
        """,
        actions="""
            Updated the credentials in the copier address book | test scan saved to the folder |
            Enabled SMB2 on the copier after a firmware update | copier connects to the share | firmware update failed
            Fixed share permissions for the scanner account | scans appear in the folder |
        """,
        notes="""
            Scan to email still works, only folder scans are affected.
        """,
    ),
    dict(
        label="printer_driver",
        domain="printing",
        alt=("endpoint",),
        weight=20,
        titles="""
            Need printer installed on new laptop
            Printer driver won't install
            Asking for admin password to install printer
            Printing garbage characters
            Printer prints pages of random symbols
            Add printer to {user}'s PC
            Can't add the office printer
            printer driver update required popup
            Prints come out in wrong size / missing pages
            Do you trust this printer prompt
        """,
        bodies="""
            I'm trying to connect to the printer on my new laptop but it asks for an admin username and password.
            When I print a PDF the printer spits out pages and pages of random characters.
            Windows keeps saying the printer needs a driver update and asks for admin rights.
            Could you add the colour printer to my computer, I only have the black and white one.
            Since the update some pages print at half size and others are missing the bottom line.
        """,
        resolutions="""
            PrintNightmare hardening requires admin for driver installs. Pushed the correct type 3 driver through Intune and mapped the queue, prints fine.
            Queue was using the PCL6 universal driver which garbles PDFs on this model. Switched to the PS driver on the print server.
            Added the printer via the print server with the driver preinstalled, user can print.
            Windows update had replaced the driver with a generic one. Reinstalled the manufacturer's driver and removed the generic.
        """,
        checks="""
            Which driver is the queue using? | Microsoft generic | HP Universal PCL6 | correct model driver
            Is the user a local admin? | no, standard user | yes
        """,
        actions="""
            Installed the manufacturer's driver | test page printed correctly | install blocked by policy
            Deployed the printer via Intune | printer appears for the user |
            Changed the queue to the PostScript driver | PDFs print correctly |
        """,
        notes="""
            Point and print restrictions are enabled on this customer.
        """,
    ),
    dict(
        label="print_quality_toner",
        domain="printing",
        alt=("hardware",),
        weight=12,
        titles="""
            Printer printing faded
            lines down the page when printing
            Toner low but just replaced
            Prints are streaky
            printer smudging
            Need new toner for {site} printer
            Paper keeps jamming
            Print quality really poor
        """,
        bodies="""
            Everything that comes out of the printer has a grey line down the right side.
            We put a new toner in yesterday and the printer still says toner low and prints are really pale.
            The printer keeps jamming in tray 2, we've taken out the paper and put it back in.
            Printouts are smudged and the toner rubs off when you touch it.
        """,
        resolutions="""
            Drum unit worn out causing the streaks. Ordered and fitted a new drum, prints clean.
            Non-genuine toner not recognised. Replaced with a genuine cartridge and reset the counter.
            Fuser was failing which is why toner rubbed off. Logged with the lease company, engineer replaced the fuser.
            Tray 2 pickup roller worn. Cleaned and replaced the roller, no jams since.
        """,
        checks="""
            Is the toner genuine? | compatible cartridge from Amazon | genuine
            Does a cleaning page fix it? | no, line still there | improved slightly
        """,
        actions="""
            Ran the printer's cleaning cycle | still streaky |
            Replaced the drum unit | test prints clean |
            Logged a call with the lease company | engineer booked for tomorrow |
        """,
        notes="""
            Printer is under a lease maintenance contract.
        """,
    ),
]
