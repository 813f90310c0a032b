"""Laptops and desktops: boot faults, docks, batteries, speed, BitLocker, updates and software."""

PROBLEMS = [
    dict(
        label="laptop_no_boot",
        domain="hardware",
        alt=("endpoint",),
        weight=24,
        titles="""
            Laptop won't turn on
            PC won't boot
            Blue screen
            laptop blue screen of death
            Computer stuck on restarting
            Automatic repair loop
            BSOD on startup
            Laptop dead
            PC keeps crashing with blue screen
            Black screen after Windows logo
        """,
        bodies="""
            My laptop won't turn on at all this morning, I've had it on charge all night.
            The computer keeps showing a blue screen saying your PC ran into a problem and restarts.
            It just goes round and round saying preparing automatic repair and never gets to the login.
            After the windows logo the screen goes black and nothing happens.
            PC crashed with a blue screen twice today, CRITICAL_PROCESS_DIED.
        """,
        resolutions="""
            Faulty RAM stick found with memory diagnostics. Replaced under warranty, no further blue screens.
            Boot loop after a failed update. Uninstalled the latest quality update from the recovery environment, boots normally.
            Laptop was in deep discharge. Held power for 30 seconds with the battery disconnected, powered on after charging.
            SSD failing SMART checks. Replaced the drive and rebuilt the laptop from Autopilot, user data was in OneDrive.
            Display driver causing the black screen. Booted to safe mode, rolled back the driver, fine.
        """,
        checks="""
            Does the laptop power on at all? | no lights | power light on but black screen | boots to blue screen
            What is the stop code? | CRITICAL_PROCESS_DIED | MEMORY_MANAGEMENT | none shown
            Was anything updated recently? | Windows update last night | new dock | no
        """,
        actions="""
            Ran memory diagnostics | errors found on one stick | no errors
            Uninstalled the latest update from recovery | laptop boots |
            Replaced the SSD and reimaged | laptop rebuilt |
            Hard reset with the battery disconnected | laptop powered on | still dead
        """,
        notes="""
            Laptop is a Dell Latitude 5420, in warranty until next year.
        """,
    ),
    dict(
        label="dock_monitors",
        domain="hardware",
        alt=("endpoint",),
        weight=26,
        titles="""
            Monitors not working with dock
            Second screen not detected
            Docking station not working
            External monitor no signal
            Dual screens stopped working
            Dock not charging laptop
            Only one monitor works on the dock
            Screens flicker when docked
            monitor not working
        """,
        bodies="""
            When I plug my laptop into the docking station the two monitors say no signal.
            Only one of my screens works through the dock, the other one stays black.
            The dock doesn't charge the laptop anymore and the USB keyboard doesn't work either.
            My monitors keep flickering on and off when I'm docked.
        """,
        resolutions="""
            Dock firmware out of date. Updated the dock firmware and the laptop's Thunderbolt driver, both monitors detected.
            Laptop only supports two external screens through the dock's DisplayPort outputs. Moved the second monitor from HDMI to DP.
            Dock power supply was a lower wattage one swapped from another desk. Replaced with the 130W PSU, charging.
            Faulty DisplayPort cable. Replaced the cable, flicker gone.
            Reset the dock by unplugging power for a minute and reinstalled the DisplayLink driver, screens working.
        """,
        checks="""
            Which dock model? | Dell WD19 | Lenovo USB-C dock | HP Thunderbolt dock
            Do the monitors work when plugged straight into the laptop? | yes | one does
            Is the dock firmware current? | two versions behind | current
        """,
        actions="""
            Updated the dock firmware | monitors detected |
            Replaced the display cable | flicker stopped |
            Swapped the dock power supply | laptop charging on the dock |
            Reinstalled the DisplayLink driver | both screens working | only one screen
        """,
        notes="""
            Hot desk so the user may have swapped docks.
        """,
    ),
    dict(
        label="laptop_battery",
        domain="hardware",
        alt=(),
        weight=12,
        titles="""
            Laptop not charging
            Battery drains fast
            Plugged in not charging
            Battery swollen
            Laptop battery only lasts an hour
            Charger not working
        """,
        bodies="""
            My laptop says plugged in, not charging, and the battery is going down.
            The battery only lasts about an hour now when I'm out visiting clients.
            The trackpad is lifting and the laptop doesn't sit flat on the desk anymore.
        """,
        resolutions="""
            Battery health at 41% in the battery report. Ordered a replacement battery under warranty and fitted it.
            Charger was a 45W unit from another model. Supplied the correct 65W charger, charging.
            Swollen battery, took the laptop out of use immediately and arranged a warranty repair.
            Battery charge threshold set to 60% in the vendor utility. Reset to full charge.
        """,
        checks="""
            What does the battery report show? | design 54Wh, full charge 22Wh | healthy
            Which charger is being used? | 45W from another laptop | the original
        """,
        actions="""
            Generated a battery report | battery health low |
            Fitted a replacement battery | battery charging |
            Swapped the charger | charging normally |
        """,
        notes="""
            User travels a lot.
        """,
    ),
    dict(
        label="slow_computer",
        domain="endpoint",
        alt=("hardware",),
        weight=34,
        titles="""
            Computer very slow
            PC slow
            laptop running slow
            Everything takes ages to open
            PC really sluggish since update
            Slow startup
            Computer freezing all the time
            Laptop slow and fan loud
            100% disk usage
            slow pc
        """,
        bodies="""
            My computer is so slow, it takes about ten minutes to start up and programs take forever to open.
            The laptop keeps freezing for a few seconds at a time when I'm typing.
            Since the update last week everything is really slow and the fan is constantly going.
            Task manager shows disk at 100% all the time.
            Can someone look at my PC, it's been slow for weeks and is getting worse.
        """,
        resolutions="""
            Old spinning disk at 100% usage. Cloned to an SSD, startup down to 30 seconds.
            Only 4GB RAM with Teams, Chrome and Outlook open. Upgraded to 16GB.
            A dozen startup apps including two old printer utilities. Disabled them and removed bloatware, much quicker.
            Windows search indexer stuck in a loop. Rebuilt the index, CPU back to normal.
            Antivirus scanning the whole profile every hour after a policy change. Fixed the schedule.
            PC is eight years old. Cleaned it up as much as possible and quoted a replacement.
        """,
        checks="""
            What does Task Manager show? | disk at 100% | memory at 95% | CPU high from the indexer | nothing unusual
            How old is the machine? | 6 years | 2 years | no idea
            How much RAM? | 4GB | 8GB | 16GB
        """,
        actions="""
            Disabled unnecessary startup apps | boot time improved |
            Upgraded the RAM | memory pressure gone |
            Replaced the hard drive with an SSD | much faster |
            Ran disk clean up and removed temp files | freed 30GB | no real difference
        """,
        notes="""
            Remoted in, machine was very slow to respond even over the remote session.
        """,
    ),
    dict(
        label="bitlocker_recovery",
        domain="endpoint",
        alt=("security", "hardware"),
        weight=18,
        titles="""
            BitLocker recovery key needed
            Laptop asking for recovery key
            Blue screen asking for BitLocker key
            Recovery key prompt after update
            locked out by BitLocker
            Enter the recovery key to get going again
        """,
        bodies="""
            My laptop is on a blue screen asking for a BitLocker recovery key, I don't know what that is.
            After the BIOS update the laptop wants a 48 digit recovery key every time I start it.
            {user} is stuck at the BitLocker recovery screen after plugging into the dock.
        """,
        resolutions="""
            Looked up the recovery key in Entra by the key ID and read it to the user. Suspended and resumed BitLocker so the TPM resealed.
            BIOS update changed the PCR measurements. Entered the key, suspended protection, reapplied the BIOS settings, no more prompts.
            Booting from the dock's USB-C network triggered recovery. Disabled PXE boot on dock in BIOS.
            Key was not escrowed to Entra. Found it in AD under the computer object, backed it up to Entra afterwards.
        """,
        checks="""
            What key ID is shown? | starts 4F2A | starts 91C3
            Is the key in Entra or AD? | in Entra | only in AD | not found
            What changed before the prompt? | BIOS update | new dock | nothing
        """,
        actions="""
            Read the recovery key to the user | laptop booted |
            Suspended and resumed BitLocker | no prompt on restart |
            Disabled network boot from the dock in BIOS | no recovery prompt when docked |
        """,
        notes="""
            Verified the user before giving out the key.
        """,
    ),
    dict(
        label="windows_update_failing",
        domain="endpoint",
        alt=(),
        weight=16,
        titles="""
            Windows updates failing
            Update stuck at 0%
            Feature update won't install
            Windows update error 0x800f0922
            PC keeps trying to install the same update
            Undoing changes made to your computer
        """,
        bodies="""
            Every time I shut down it says installing update and then undoing changes, it's done it all week.
            Our patching report shows this PC failing the cumulative update with 0x800f0922.
            Windows update has been stuck downloading at 0% for days.
        """,
        resolutions="""
            Recovery partition too small for the update. Resized the partition with reagentc and the update installed.
            Reset the Windows Update components and cleared SoftwareDistribution, update installed on the next try.
            Ran DISM restorehealth and sfc to fix the component store, then installed the update manually.
            Not enough free space. Cleared 20GB and the feature update installed.
        """,
        checks="""
            What error code? | 0x800f0922 | 0x80070002 | none, just stuck
            How much free disk space? | 3GB | 40GB
        """,
        actions="""
            Reset Windows Update components | update downloaded |
            Ran DISM and sfc | component store repaired |
            Resized the recovery partition | update installed |
        """,
        notes="""
            Flagged by the RMM patch report.
        """,
    ),
    dict(
        label="software_install",
        domain="endpoint",
        alt=("other",),
        weight=24,
        titles="""
            Software install request
            Need Adobe Acrobat installed
            Please install Zoom
            Admin password needed to install program
            Can I have Visio
            Install request for {user}
            Need the new version of Sage installed
            Software needed on new laptop
        """,
        bodies="""
            I need Adobe Acrobat Pro to edit PDFs for the contracts, can that be installed on my laptop?
            It's asking for an administrator password when I try to install the software the client sent us.
            Could we get Zoom on the reception PC, a customer only uses Zoom for meetings.
            Please can you install the latest version of Sage on the accounts PCs, the update came out today.
        """,
        resolutions="""
            Assigned an Acrobat Pro licence and deployed Acrobat through Intune, user signed in.
            Installed Zoom from the company portal, added to the approved software list.
            Pushed the Sage update through RMM to the three accounts PCs after hours and checked the data opened.
            Software from the client was not approved. Checked with the director, installed the viewer only.
        """,
        checks="""
            Is the software approved and licensed? | approved, licence available | needs approval from the director | free software
            How many machines need it? | one | the accounts team
        """,
        actions="""
            Deployed the software through Intune | installed on the device |
            Installed via RMM | install completed |
            Assigned a licence | user activated the product |
        """,
        notes="""
            Approved by the office manager.
        """,
    ),
    dict(
        label="keyboard_mouse",
        domain="hardware",
        alt=(),
        weight=10,
        titles="""
            Keyboard not working
            Mouse not working
            wireless mouse stopped
            Keys typing wrong characters
            @ and " swapped on keyboard
        """,
        bodies="""
            My wireless keyboard and mouse stopped working this morning, I've changed the batteries.
            When I press the @ key I get a quote mark instead.
            Some keys on my laptop keyboard don't do anything.
        """,
        resolutions="""
            Unifying receiver needed re-pairing. Paired both devices again.
            Keyboard layout was US instead of UK. Removed the US layout, set UK as the only keyboard.
            Coffee spilt on the laptop keyboard. Provided a USB keyboard and booked a warranty repair.
        """,
        checks="""
            Is it wireless or wired? | wireless with a USB receiver | laptop keyboard
            Which layout is set? | English (United States) | English (United Kingdom)
        """,
        actions="""
            Re-paired the receiver | keyboard and mouse working |
            Set the keyboard layout to UK | keys correct |
        """,
        notes="""
            Sent a spare keyboard in the meantime.
        """,
    ),
    dict(
        label="defender_false_positive",
        domain="security",
        alt=("endpoint",),
        weight=12,
        titles="""
            Antivirus blocking program
            Defender quarantined our software
            Application blocked by security software
            Threat found alert for accounts software
            Can't open app - blocked by antivirus
        """,
        bodies="""
            Our stock system won't start and Windows Security says it quarantined a file from it.
            Antivirus deleted the exe for our practice software after the update.
            Getting threat detected pop ups every time I open the CAD program.
        """,
        resolutions="""
            Confirmed a false positive on the vendor's new build with VirusTotal and the vendor. Restored the file and added an allow indicator by certificate.
            Submitted the file to Microsoft as a false positive, restored from quarantine and added a path exclusion until the definitions were updated.
            Controlled folder access blocked the app. Added it as an allowed app.
        """,
        checks="""
            What was detected? | Trojan:Win32/Wacatac!ml on the vendor exe | controlled folder access block
            Is the file signed by the vendor? | yes, valid signature | unsigned
        """,
        actions="""
            Restored the file from quarantine | application starts |
            Added an allow indicator | no further detections |
            Submitted the file to Microsoft | submission accepted |
        """,
        notes="""
            Checked with the software vendor first.
        """,
    ),
    dict(
        label="phishing_report",
        domain="security",
        alt=("email",),
        weight=20,
        titles="""
            Suspicious email
            Phishing?
            Is this email safe?
            Clicked on a link in a dodgy email
            Fake invoice email received
            Email pretending to be from the director
            I think I've been phished
            Report spam email
        """,
        bodies="""
            I've had an email saying it's from DHL about a parcel, is it genuine? I haven't clicked anything.
            I clicked the link in an invoice email before I realised it looked odd, I didn't type anything in.
            Got an email that looks like it's from our MD asking me to buy gift cards urgently.
            Several of us got the same email with a shared document link from a client we don't know.
        """,
        resolutions="""
            Confirmed phishing. Purged the message from all mailboxes with a content search, blocked the sender and URL, user did not enter credentials.
            User clicked but didn't enter details. Ran a full scan, checked sign in logs, nothing suspicious. Blocked the domain.
            CEO fraud attempt. Added the sender to the blocked list, enabled impersonation protection for the directors.
            Genuine email from a supplier's new system. Confirmed with the supplier by phone and told the user it was safe.
        """,
        checks="""
            Did the user click the link or open the attachment? | clicked the link only | opened the attachment | neither
            Did the user enter any credentials? | no | not sure | yes
            How many users received it? | just this user | 14 mailboxes
        """,
        actions="""
            Purged the email from all mailboxes | messages deleted |
            Blocked the sender and URL | block list updated |
            Ran a full antivirus scan | no threats found |
        """,
        notes="""
            User forwarded the email as an attachment.
        """,
    ),
]
