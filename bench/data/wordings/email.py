"""Email and Outlook problems: the same product behind several unrelated faults."""

PROBLEMS = [
    dict(
        label="outlook_password_prompt",
        domain="email",
        alt=("m365",),
        weight=48,
        titles="""
            Outlook keeps asking for password
            outlook password prompt
            Outlook constantly prompting for credentials
            Password box keeps popping up in Outlook
            outlook asking for pw every 5 mins
            Keeps asking me to sign in to Outlook
            Outlook credential prompt loop after password change
            Outlook won't accept my password
            Enter password window won't go away
            {user} outlook keeps prompting for login
            Outlook prompting for password on new laptop
            Windows Security box asking for email password
            Outlook says Need Password
            Repeated authentication prompts in Outlook desktop
            Outlook asking for password but webmail works fine
            keep getting asked for my email password
            outlook pw popup
            creds prompt outlook
        """,
        bodies="""
            Ever since I changed my password on Monday Outlook keeps asking me for it. I put it in and a few minutes later the box is back.
            Outlook on my PC keeps popping up a Windows Security window asking for my password. Webmail works fine on my phone.
            The bottom of Outlook says Need Password and no new emails are coming in. When I click it and type my password it just asks again.
            Every time I open Outlook I get prompted to sign in, ticking remember my credentials doesn't help.
            User reports repeated credential prompts in Outlook 2016 after their AD password was reset; OWA unaffected.
            Getting a login box for my email account about every ten minutes, it's driving me mad. Can someone take a look?
            Since the weekend Outlook has been asking for my password over and over. I haven't changed anything.
            Outlook shows disconnected and keeps asking for credentials, other Office apps are signed in OK.
            Can you help, my outlook wants my password again and again and i'm sure I'm typing it right
        """,
        resolutions="""
            Removed stale MS.Outlook and MicrosoftOffice16 entries from Credential Manager, restarted Outlook and signed in once with modern auth. No further prompts.
            Cached credentials from the old password were being used. Cleared the Windows credential store, rebuilt the Outlook profile, confirmed mail flowing.
            Office was signed in with an old account. Signed out of all Office apps, cleared the Office identity cache in the registry and signed back in. Prompts stopped.
            AlwaysUseMSOAuthForAutoDiscover was missing so Outlook fell back to basic auth. Added the reg key, restarted Outlook, works.
            User had only changed the password on their phone, the PC still held the old one. Locked and unlocked with the new password, cleared credential manager, Outlook reconnected.
            New Outlook profile created, old OST removed and account re-added. Watched it for 30 mins with no prompts.
        """,
        checks="""
            Does webmail accept the password? | yes works fine in the browser | OWA fine | yes, only desktop Outlook is affected
            Has the password been changed recently? | changed it Friday | we reset it on Monday | user says no but AD shows a change yesterday
            What does the prompt look like? | Windows Security box with the old username in it | Microsoft sign-in window | old grey basic auth prompt
            Are the other Office apps signed in? | Word shows the wrong account | yes all signed in | Teams is fine
        """,
        actions="""
            Cleared Office entries from Credential Manager | prompts stopped after a restart | prompt came back after 5 min
            Created a new Outlook profile | profile rebuilt, mailbox syncing | same prompt on the new profile
            Signed out of Office and back in | correct account under File > Office Account | no change
            Added the AlwaysUseMSOAuthForAutoDiscover registry value | Outlook connected with modern auth |
        """,
        notes="""
            User on Outlook 2016 MSI build, not click-to-run.
            Entra sign-in logs show lots of failures from this PC with the old password.
            Mailbox is in Exchange Online, modern auth enabled on the tenant.
        """,
    ),
    dict(
        label="outlook_calendar_sharing",
        domain="email",
        alt=("m365",),
        weight=26,
        titles="""
            Can't share calendar
            Calendar sharing not working
            Shared calendar not showing in Outlook
            Need access to {user}'s calendar
            Can only see free/busy on boss's calendar
            outlook calendar permissions
            Calendar shows busy blocks only, no details
            Add calendar - "you don't have permission"
            Delegate can't see meeting details
            Share diary with PA
            PA can't accept meetings on behalf of director
            meeting room calendar not visible
            shared cal missing
            Can't open other users calendar
            Calendar invite from shared calendar not updating
        """,
        bodies="""
            I need to see {user}'s calendar so I can book meetings for her, when I try to open it I only get grey busy blocks.
            Our office manager shared her calendar with me but it never turns up under Shared Calendars in Outlook.
            When I try to add the team calendar it says I don't have permission to view it.
            Can you give Sarah edit rights on the directors calendar please, she is his new PA and needs to book things in.
            The boardroom calendar has disappeared from everyone's Outlook, we use it to book the room.
            I'm a delegate for my manager but meeting requests aren't coming to me and I can't see the details of his appointments.
            Calendar sharing invite arrives but clicking Accept does nothing, calendar never appears.
            Shared calendar shows in Outlook on the web but not in the desktop app.
        """,
        resolutions="""
            Calendar folder permission was AvailabilityOnly. Set it to Reviewer with Add-MailboxFolderPermission and the calendar showed full details after a restart of Outlook.
            Granted Editor on the director's calendar and added the PA as delegate with meeting request copies. Tested by sending an invite.
            Room mailbox calendar had default permission set to None after a change. Set Default to LimitedDetails, room calendar visible again.
            Shared calendar only missing from desktop. Turned on the new calendar sharing improvements (removed the old shared folder cache), re-added the calendar, syncing fine.
            User was trying to open it by display name with a typo'd duplicate contact. Removed the old contact, added calendar from the GAL, works.
        """,
        checks="""
            What permission level does the calendar have? | AvailabilityOnly for Default | Reviewer for the PA | LimitedDetails | none set
            Does it work in Outlook on the web? | yes visible in OWA | no, not there either
            Is the user a delegate? | yes set as delegate in Outlook | not a delegate, just reviewer
        """,
        actions="""
            Set calendar folder permission with Add-MailboxFolderPermission | permission applied, calendar visible after Outlook restart |
            Added user as delegate with Editor rights | meeting requests now copied to the PA |
            Removed and re-added the shared calendar | calendar loads with full details | still only free/busy
        """,
        notes="""
            Checked in Exchange admin, permission list looked odd.
            User wants to book on behalf of the partner.
        """,
    ),
    dict(
        label="outlook_pst_size",
        domain="email",
        alt=("m365",),
        weight=16,
        titles="""
            Outlook data file has reached maximum size
            PST file full
            archive.pst too big
            Outlook says pst has reached max size
            Can't move emails into my archive folder
            Outlook data file error when moving mail
            old PST won't open - too large
            Personal folders file full, outlook 2GB limit
            Archive file 50GB can't add more
            Cannot copy items to local folders
        """,
        bodies="""
            When I try to drag emails into my Archive folders I get a message saying the Outlook data file has reached its maximum size.
            I keep all my old project emails in a PST on my desktop and Outlook won't let me put anything else in it now.
            Getting an error moving emails to my personal folders - "the file has reached its maximum size". Nothing is deleted but I can't file anything.
            My old archive from 2012 won't open at all, it says it's too large or in the wrong format.
            Outlook pops up with an error about the data file every time it tries to auto archive.
        """,
        resolutions="""
            archive.pst was an old ANSI file stuck at 2GB. Created a new Unicode PST, moved 2019 onwards into it and set AutoArchive to the new file.
            PST had hit the 50GB default limit. Split it by year into three PSTs and mounted them, advised the user to use the online archive going forward.
            Ran scanpst on the archive, repaired errors, then raised MaxLargeFileSize in the registry and compacted the file. Moving mail works again.
            Enabled the Exchange Online archive for the user and imported the PST into it, removed the local PST from the profile.
        """,
        checks="""
            How big is the PST? | 49.9GB | 2GB exactly | 38GB but errors
            Is it an old ANSI format file? | yes Outlook 2002 format | no, Unicode
            Is an online archive licensed? | yes Exchange Online Plan 2 | no, Business Standard only
        """,
        actions="""
            Ran scanpst.exe on the file | repaired 12 errors |
            Created a new PST and moved older items across | moves working into the new file |
            Imported PST into online archive | import finished, items visible in Online Archive | import job failed on corrupt items
        """,
        notes="""
            PST is stored on the user's desktop, not on a network share.
        """,
    ),
    dict(
        label="mailbox_quota_full",
        domain="email",
        alt=("m365",),
        weight=17,
        titles="""
            Mailbox full
            Your mailbox is almost full warning
            Can't send emails mailbox over limit
            mailbox quota exceeded
            email full cant send
            Mailbox size limit - {user}
            Getting "mailbox is full" bounce back
            People emailing me get a mailbox full message
            Need more mailbox space
            Mailbox storage 99% used
        """,
        bodies="""
            Outlook keeps telling me my mailbox is almost full and now I can't send anything.
            Clients are telling me their emails to me are bouncing back saying my mailbox is full.
            I have deleted loads of emails but Outlook still says I'm over my storage limit.
            Could you increase the size of my mailbox or tell me what I should delete? I get a warning every morning.
            {user} is getting NDRs when sending, mailbox at 49.5GB of 50GB.
        """,
        resolutions="""
            Mailbox at 49.8GB. Enabled the online archive and applied a 2 year move-to-archive retention policy, ran Start-ManagedFolderAssistant. Mailbox down to 21GB next day.
            Deleted Items held 18GB. Emptied deleted items and recoverable items with user's ok, mailbox back under quota.
            Upgraded the user to Exchange Online Plan 2 for the 100GB mailbox and auto-expanding archive, approved by the practice manager.
            Recoverable Items was full because of a litigation hold left over from a test. Removed the hold after checking with the customer, quota cleared.
        """,
        checks="""
            What is the mailbox size and quota? | 49.8GB of 50GB | 99GB of 100GB | 48GB, warnings at 49
            Which folders are the largest? | Deleted Items is 18GB | Sent Items with big attachments | Recoverable Items full
            Does the user have an archive mailbox? | not enabled | enabled but empty
        """,
        actions="""
            Enabled online archive and retention policy | archive started moving items |
            Emptied Deleted Items with the user's approval | freed 18GB |
            Ran Start-ManagedFolderAssistant | folder assistant processed the mailbox |
        """,
        notes="""
            Checked mailbox statistics in Exchange admin.
            Customer asked for a quote for bigger mailboxes for the whole office.
        """,
    ),
    dict(
        label="outlook_search_broken",
        domain="email",
        alt=("m365", "endpoint"),
        weight=22,
        titles="""
            Outlook search not working
            Search in outlook returns nothing
            Can't find emails when searching
            outlook search no results
            Search only shows emails from last month
            Instant search broken
            outlook search bar greyed out
            Searching inbox finds nothing even though email is there
            search results incomplete in outlook
            Search in Outlook says "something went wrong"
        """,
        bodies="""
            When I search for a client's name in Outlook I get no results, but I can see their emails in my inbox.
            Outlook search only finds emails from the last few weeks, anything older doesn't come up at all.
            Search box at the top of Outlook is greyed out and I can't click in it.
            I type a word I know is in an email and it says we couldn't find what you're looking for.
            Search has been really unreliable since the update, half the time it returns nothing.
        """,
        resolutions="""
            Windows Search index was corrupt. Rebuilt the index from Indexing Options and left it overnight, search back to normal.
            Outlook was set to only keep 1 month offline. Changed the cached mode slider to All and let it resync, older emails now found.
            Windows Search service was disabled by a tuning script. Set it to automatic delayed start, started it and rebuilt the index.
            Outlook not listed under indexed locations. Added Microsoft Outlook to the index and rebuilt, search working.
        """,
        checks="""
            Does search work in Outlook on the web? | yes finds everything | also slow but works
            What does Indexing Status say? | 18,000 items remaining | Indexing complete but results missing | search service not running
            What is the cached mode slider set to? | 1 month | 3 months | All
        """,
        actions="""
            Rebuilt the Windows Search index | index rebuilt overnight, search returns results | index stuck at the same count
            Changed cached mode to keep all mail offline | resync finished, old mail searchable |
            Started the Windows Search service | service running |
        """,
        notes="""
            Index rebuilds take ages on this laptop, left it with the user.
        """,
    ),
    dict(
        label="shared_mailbox_missing",
        domain="email",
        alt=("m365",),
        weight=26,
        titles="""
            Shared mailbox not showing in Outlook
            accounts@ mailbox missing
            Can't see the shared inbox
            Lost access to info@ mailbox
            Add shared mailbox for {user}
            Shared mailbox disappeared
            Sent items from shared mailbox go to my own sent folder
            Can't send as reception@
            shared mailbox gone after outlook update
            need access to the sales mailbox
            No longer see the office inbox in my folder list
        """,
        bodies="""
            The accounts shared mailbox used to be under my own mailbox in Outlook and today it has gone.
            Please can {user} be given access to the info@ mailbox, she is covering reception next week.
            When I send from the bookings mailbox the email ends up in my personal sent items, not the shared one.
            I get an error saying I don't have permission when I try to send as the enquiries address.
            Shared inbox is there in webmail but Outlook on my laptop doesn't show it anymore.
        """,
        resolutions="""
            User had Full Access but automapping was off. Re-added the permission with automapping on, mailbox appeared after restarting Outlook.
            Granted Full Access and Send As on info@ for the user. Waited for the permissions to replicate, mailbox showed up and send as works.
            Set MessageCopyForSentAsEnabled on the shared mailbox so sent items copy to the shared sent folder.
            Shared mailbox had been converted to a user mailbox and unlicensed by mistake. Converted it back to shared, access restored.
            Outlook profile was corrupt and did not load additional mailboxes. New profile, shared mailbox loads.
        """,
        checks="""
            Does the user have Full Access on the mailbox? | yes | no, was removed in the clean up | only Send As
            Is the shared mailbox visible in Outlook on the web? | yes can open it in OWA | no
            Which mailbox is it? | accounts@ | info@ | reception@ | bookings@
        """,
        actions="""
            Granted Full Access with automapping | mailbox appeared in Outlook after restart | not showing after an hour
            Granted Send As permission | test email sent as the shared address |
            Enabled sent items copy for Send As | sent items now land in the shared mailbox |
        """,
        notes="""
            Permissions can take up to an hour to show, told the user.
        """,
    ),
    dict(
        label="outlook_crash_startup",
        domain="m365",
        alt=("email", "endpoint"),
        weight=22,
        titles="""
            Outlook crashes on startup
            Outlook won't open
            Outlook not responding when opening
            outlook stuck on loading profile
            Outlook closes straight away
            Outlook keeps freezing
            Outlook crashing since update
            outlook hangs on processing
            Outlook opens then shuts down
            Outlook wont start - safe mode works
        """,
        bodies="""
            When I click on Outlook it gets to the loading profile screen and then just closes.
            Outlook keeps going Not Responding and then crashing, I've restarted the PC twice.
            Outlook has stopped opening since the update last night, it shows the splash screen and nothing else.
            It freezes every time I click on an email with an attachment and then crashes.
            Outlook opens in safe mode when I hold ctrl but not normally.
        """,
        resolutions="""
            Crashing in a third party PDF add-in after the Office update. Disabled the add-in, Outlook opens fine, raised with vendor for an update.
            Ran an Office quick repair, then online repair when that didn't help. Outlook stable since.
            Profile was corrupt, stuck on loading. Created a new profile and removed the old OST.
            Rolled Office back one build with OfficeC2RClient after the faulty update, paused updates for a week.
            Teams meeting add-in was crashing Outlook. Re-registered the add-in DLL and it loads cleanly.
        """,
        checks="""
            Does Outlook open in safe mode? | yes opens fine with /safe | no, crashes there too
            What is in the event log? | faulting module olmapi32.dll | faulting module from the PDF add-in | nothing useful
            When did it start? | after last night's Office update | after a new add-in was installed | no idea, was fine Friday
        """,
        actions="""
            Disabled COM add-ins one by one | Outlook opens with the PDF add-in disabled | still crashes with all add-ins off
            Ran Office quick repair | repair finished, Outlook opens | no change
            Created a new Outlook profile | loads mailbox normally |
        """,
        notes="""
            Same build is on the other PCs in the office and they are fine.
        """,
    ),
    dict(
        label="email_bounce_spf",
        domain="email",
        alt=("networking", "security"),
        weight=20,
        titles="""
            Emails bouncing back
            Clients not receiving our emails
            Outgoing mail rejected
            Getting undeliverable messages when emailing {customer}
            Emails to gmail going to spam
            550 5.7.23 bounce
            Our emails going into customers junk
            NDR when sending to one domain
            email to external addresses failing
            Sent emails not arriving
        """,
        bodies="""
            Several customers have told us they never got our quotes, and I've had undeliverable messages back from a couple of them.
            Any email we send to hotmail addresses goes straight into their junk folder.
            Getting a bounce back with 550 5.7.23 saying the message was rejected because of SPF when emailing one of our suppliers.
            Since we moved the website emails from the booking system are being rejected.
            Emails I send are arriving in people's spam, this never used to happen.
        """,
        resolutions="""
            SPF record was missing include:spf.protection.outlook.com after a DNS host change. Fixed the TXT record, tested with mxtoolbox, mail delivering.
            Website booking form sent as our domain from the host's server, not in SPF. Switched it to send via authenticated SMTP relay.
            DKIM was never enabled for the domain. Published the CNAMEs and enabled DKIM signing, added a p=none DMARC record.
            Domain had two SPF records which is invalid. Merged them into one, bounces stopped.
        """,
        checks="""
            What does the bounce message say? | 550 5.7.23 SPF fail | 550 5.7.1 rejected by policy | no bounce, just lands in junk
            What does the SPF record look like? | missing the Microsoft include | two SPF TXT records | fine
            Is DKIM enabled? | no | yes
        """,
        actions="""
            Corrected the SPF TXT record at the DNS host | mxtoolbox shows SPF pass |
            Enabled DKIM signing for the domain | DKIM pass in message headers | CNAMEs not propagated yet
            Sent test emails to gmail and outlook.com | landed in the inbox | still in junk
        """,
        notes="""
            Domain DNS hosted at the customer's web designer, needed their login.
        """,
    ),
    dict(
        label="mobile_email_sync",
        domain="email",
        alt=("m365", "hardware"),
        weight=16,
        titles="""
            Email not working on phone
            iPhone not getting emails
            can't set up work email on new phone
            Outlook app on android not syncing
            phone mail stopped updating
            Work email on iPad asking for password
            Emails not coming through on my mobile
            Set up email on {user}'s new iPhone
        """,
        bodies="""
            My work emails have stopped coming through on my iPhone, they're fine on the computer.
            I've got a new Samsung and can't get the Outlook app to add my work account, it just spins.
            The mail app on my iPad keeps asking for my password and won't take it.
            Could someone help set up emails on my new phone? I'm in the office all day tomorrow.
        """,
        resolutions="""
            Native iOS mail uses basic auth which is now blocked. Removed the account, installed Outlook for iOS and signed in, mail syncing.
            Conditional access needed the Authenticator app for app protection. Installed it, registered the device, Outlook app works.
            Phone was quarantined in Exchange ActiveSync device list. Allowed the device, mail came straight through.
            Set up Outlook on the new phone with the user over the phone, MFA approved, mail calendar and contacts syncing.
        """,
        checks="""
            Which mail app is the user on? | native iPhone Mail | Outlook app | Samsung email
            Does webmail work on the phone? | yes in Safari | not tried
            Is the device blocked or quarantined? | quarantined in the mobile device list | no
        """,
        actions="""
            Removed and re-added the account in the Outlook app | mail syncing |
            Allowed the device in mobile device access | emails arrived within a minute |
            Installed Microsoft Authenticator for app protection | sign in completed |
        """,
        notes="""
            User came in to the office with the phone.
        """,
    ),
]
