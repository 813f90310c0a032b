"""Accounts and access: lockouts, passwords, MFA, starters and leavers, shared drives."""

PROBLEMS = [
    dict(
        label="account_lockout",
        domain="active_directory",
        alt=("security",),
        weight=40,
        titles="""
            Account locked out
            locked out
            {user} locked out again
            Keep getting locked out of my account
            Account keeps locking
            cant login - account locked
            Locked out of PC
            User account locked repeatedly
            unlock account please
            Account locked after password change
            Referenced account is currently locked out
            Locked out of windows
        """,
        bodies="""
            I keep getting locked out of my computer, you unlocked me this morning and it's happened again.
            Windows says the referenced account is currently locked out and may not be logged on to.
            Can you unlock {user}, she's at the front desk and can't log in.
            My account locks every day around lunchtime even though I'm not typing my password wrong.
            Locked out after changing my password yesterday, please help.
        """,
        resolutions="""
            Unlocked the account. Lockout source was the user's old phone still trying the previous password on ActiveSync. Removed the account from the old phone.
            Found a mapped drive on the laptop using saved old credentials. Removed it from Credential Manager, no lockouts since.
            Lockout was caused by a scheduled task running as the user with the old password. Changed the task to a service account.
            Unlocked in AD and had the user sign in with the new password at the desk. Confirmed no further bad password counts.
            The user's RDP session on the old terminal server was still logged in with the old password. Logged it off, lockouts stopped.
        """,
        checks="""
            Which machine is the lockout coming from? | her own laptop | the old iPhone via Exchange | the terminal server | DC event 4740 shows caller computer blank
            When did the password last change? | yesterday | two weeks ago | this morning
            Is the account still locked? | yes | unlocked itself after 30 mins
        """,
        actions="""
            Unlocked the account in AD | user logged in |
            Checked event 4740 on the PDC emulator | found the source machine | source shown as blank
            Removed saved credentials from Credential Manager | no further bad password attempts |
            Removed the account from the old phone | lockouts stopped |
        """,
        notes="""
            Used the lockout status tool to see the bad password counts on each DC.
            User called from a colleague's phone.
        """,
    ),
    dict(
        label="password_reset",
        domain="active_directory",
        alt=("security", "m365"),
        weight=34,
        titles="""
            Password reset
            forgot password
            password expired
            Reset password for {user}
            Can't change my password
            Password expired can't log in from home
            Need a password reset
            new password not accepted
            Password doesn't meet requirements
            pw reset pls
            Reset my password please
        """,
        bodies="""
            I've forgotten my password after being on holiday for two weeks, can you reset it please?
            My password expired while I was working from home and now the laptop won't let me change it.
            When I try to change my password it says it doesn't meet the complexity requirements but it has numbers and symbols.
            Hi, could you reset the password for {user} please, she's starting back after maternity leave.
            I'm getting told my password has expired when I log into webmail.
        """,
        resolutions="""
            Verified the user by calling back on their mobile, reset the password with change at next logon, confirmed they could sign in.
            Password expired off the network so the cached login kept failing. Connected VPN from the login screen, changed password, cached creds updated.
            Password history blocked reuse of the last 24 passwords. Explained the policy and the user picked a new passphrase.
            Set up self service password reset for the user and walked them through resetting it themselves.
            Reset in Entra and AD, synced with Entra Connect, signed in on the web and then on the laptop.
        """,
        checks="""
            Has the user been verified? | called back on mobile from the HR record | manager confirmed by email | verified with security questions
            Is the user on site or remote? | remote, at home | in the office
            Is password writeback enabled? | yes | no, reset in AD only
        """,
        actions="""
            Reset the password in AD with change at next logon | user set a new password |
            Ran an Entra Connect delta sync | new password works for Microsoft 365 |
            Connected the laptop to VPN from the login screen | cached password updated |
        """,
        notes="""
            Identity verified as per the customer's policy.
        """,
    ),
    dict(
        label="mfa_new_phone",
        domain="security",
        alt=("m365", "active_directory"),
        weight=28,
        titles="""
            New phone - need MFA moved
            Lost phone can't get authenticator codes
            Authenticator app not working on new phone
            MFA reset please
            Can't approve sign in - changed phone
            Not getting MFA texts
            2FA codes not arriving
            Need to re-register Microsoft Authenticator
            Stuck at approve sign in request
        """,
        bodies="""
            I got a new iPhone at the weekend and the Authenticator app doesn't have my work account anymore, so I can't sign in.
            I've lost my phone on the train and I can't log in to email because it wants a code from the app.
            The text message codes to sign in have stopped arriving on my phone.
            When I sign in it asks me to approve on the app but no notification comes through.
        """,
        resolutions="""
            Verified the user by video call, required re-registration of MFA in Entra, user set up Authenticator on the new phone.
            Issued a temporary access pass so the user could register the new device, removed the lost phone's methods.
            SMS blocked by the mobile network's spam filter. Switched the user to Authenticator push notifications.
            Notifications were disabled for Authenticator on the phone. Enabled them and the approvals come through.
        """,
        checks="""
            How was the user verified? | video call with ID | manager confirmation | call back on desk phone
            Does the user still have the old phone? | no, lost | yes, traded in | old phone reset already
            Which MFA methods are registered? | Authenticator on the old phone only | SMS only | both
        """,
        actions="""
            Required MFA re-registration in Entra | user registered the new phone |
            Issued a temporary access pass | user signed in and registered Authenticator |
            Removed the old phone's authentication methods | only the new device remains |
        """,
        notes="""
            Checked the sign in logs for anything suspicious after the phone loss, nothing found.
        """,
    ),
    dict(
        label="mfa_fatigue_compromise",
        domain="security",
        alt=("email", "m365"),
        weight=16,
        titles="""
            Getting MFA requests I didn't make
            Random approve sign in prompts
            Suspicious login alert
            Account sending spam
            My email sent phishing to all my contacts
            Possible compromised account - {user}
            Unknown sign in from another country
            Impossible travel alert
            Strange inbox rules on mailbox
        """,
        bodies="""
            I keep getting notifications to approve a sign in on my phone but I'm not trying to log in anywhere.
            Several clients have rung to say they got a strange email from me with a link to a document.
            We've had an alert that {user} signed in from Nigeria an hour after signing in from the office.
            Emails from one of our suppliers are disappearing from my inbox before I see them.
        """,
        resolutions="""
            Password had been phished. Revoked sessions, reset password, removed the forwarding inbox rule the attacker created, enabled number matching, reported to the customer.
            Blocked sign in, reset password and MFA, removed malicious inbox rules moving supplier emails to RSS Feeds, searched and purged the phishing sent from the mailbox.
            Sign in was from the user's own VPN app exit node. Confirmed with the user, no compromise, marked as safe.
            Denied prompts were from a password spray with the user's real password. Reset the password and enforced number matching, no successful sign ins found.
        """,
        checks="""
            Were any sign ins successful from unknown locations? | yes from a foreign IP | no, all failed at MFA | only from a VPN provider
            Are there new inbox rules or forwarding? | rule moving emails to RSS Feeds | forwarding to an external gmail | none
            Did the user enter their password on a link? | yes on a DocuSign style page | not that they remember
        """,
        actions="""
            Revoked all sessions and reset the password | attacker signed out |
            Removed the malicious inbox rules | rules gone |
            Purged the phishing emails sent from the mailbox | messages removed from recipients in the tenant |
            Enabled number matching for Authenticator | policy applied |
        """,
        notes="""
            Informed the customer's director as per the incident process.
        """,
    ),
    dict(
        label="new_starter",
        domain="active_directory",
        alt=("m365",),
        weight=28,
        titles="""
            New starter
            New user setup - {user}
            New starter Monday
            Please set up account for new employee
            New staff member starting next week
            Create email for new receptionist
            Onboarding request
            New starter - laptop and email needed
            new user
        """,
        bodies="""
            We have a new starter on Monday, {user}, joining the accounts team. She'll need email, access to the shared drive and a laptop.
            Can you set up an account for our new receptionist? Same access as the last one please.
            New employee starting next week in sales, needs CRM access and a phone.
            Please create a user for our new locum who starts tomorrow, only for three months.
        """,
        resolutions="""
            Created AD account copying the template user, assigned Business Standard licence, added to Accounts groups, built laptop with Autopilot. Sent details to the manager.
            User created, mailbox and licence assigned, added to the reception shared mailbox and the front desk groups. Credentials given to the office manager.
            Account created with an expiry date in three months, MFA registration set up on the first day with the user.
            New user set up, laptop enrolled and delivered, Teams and OneDrive set up on the first morning.
        """,
        checks="""
            Which user should the access be copied from? | the previous receptionist | a template account | the team leader
            What is the start date? | next Monday | tomorrow | the 1st of next month
            Is a licence available? | yes one spare | no, need to buy one
        """,
        actions="""
            Created the AD account from the template user | account created and synced to Microsoft 365 |
            Assigned the Microsoft 365 licence | mailbox provisioned |
            Enrolled the laptop with Autopilot | laptop ready for the user |
            Purchased an extra licence | licence available |
        """,
        notes="""
            Onboarding form received from HR.
        """,
    ),
    dict(
        label="leaver_offboarding",
        domain="active_directory",
        alt=("m365", "email"),
        weight=18,
        titles="""
            Leaver
            Staff member leaving - {user}
            Disable account for leaver
            Leaver Friday - please remove access
            Ex-employee email forward
            Offboarding request
            Convert leaver's mailbox to shared
            Remove access for dismissed employee - urgent
        """,
        bodies="""
            {user} leaves on Friday, please disable her account at 5pm and forward her emails to me.
            We've had to let someone go today, can you remove all their access straight away?
            Can you convert the mailbox of our ex sales manager to a shared one so the team can keep an eye on it?
            Leaver last week, we need his OneDrive files moved to the team before it gets deleted.
        """,
        resolutions="""
            Disabled the account, reset the password, revoked sessions, converted the mailbox to shared and gave the manager access, removed the licence.
            Blocked sign in immediately, wiped the phone via Intune, removed from all groups, laptop collected by the office manager.
            Set an out of office and forwarding to the manager, copied OneDrive files to the team site, account disabled and licence freed.
            Converted mailbox to shared and added auto reply, removed from distribution lists, account disabled after the handover period.
        """,
        checks="""
            Who should get access to the mailbox? | line manager | the whole sales team | nobody, just forward
            Are there company devices to recover? | laptop and phone | laptop only | none
            Is the departure immediate? | yes, dismissed today | end of the week
        """,
        actions="""
            Disabled the account and revoked sessions | sign in blocked |
            Converted the mailbox to shared | shared mailbox available to the manager |
            Removed the licence | licence freed |
            Wiped the company phone in Intune | wipe completed |
        """,
        notes="""
            Manager asked for the change to be done after the meeting at 4.
        """,
    ),
    dict(
        label="share_access_denied",
        domain="active_directory",
        alt=("networking",),
        weight=20,
        titles="""
            Access denied to shared folder
            Can't open the S drive
            No access to Finance folder
            Need access to the shared drive
            Permission denied on network folder
            Can't save to the Projects share
            Folder says access denied
            Lost access to department share
        """,
        bodies="""
            When I try to open the Finance folder on the S drive it says access denied, I could open it last week.
            I can see the Projects folder but I can't save anything to it, it says I need permission.
            Please can {user} have access to the Management folder, approved by the director.
            New user cannot see department share on the file server.
        """,
        resolutions="""
            Added the user to the Finance security group. Had them log off and on to pick up the new token, access works.
            Folder had explicit deny left from an old restructure. Removed the deny entry after checking with the owner.
            Group membership had not replicated to the branch DC. Forced replication, user logged off and on, access granted.
            Gave modify rights on the Projects share via the Projects Editors group, user can save files.
        """,
        checks="""
            Is the user in the group that has access? | no | yes but added today | group nested wrongly
            Did the user log off and on after the change? | no | yes
        """,
        actions="""
            Added the user to the security group | user can open the folder after logging off and on |
            Forced AD replication | group change visible on the branch DC |
            Removed the explicit deny entry | folder accessible |
        """,
        notes="""
            Access approved by the folder owner by email.
        """,
    ),
    dict(
        label="mapped_drive_missing",
        domain="networking",
        alt=("active_directory", "endpoint"),
        weight=22,
        titles="""
            Mapped drives missing
            S drive has disappeared
            Network drives not showing
            H drive missing since this morning
            drives not mapping at login
            Shared drive gone from This PC
            Red X on network drives
            Can't see the P drive when working from home
        """,
        bodies="""
            All my network drives have disappeared from This PC, I only have the C drive.
            The S drive is there but has a red cross and it says it can't reconnect when I click on it.
            When I work from home the drives don't come back even after the VPN is connected.
            Since the new laptop my H drive never appears when I log in.
        """,
        resolutions="""
            Drive mapping GPO was filtered to a group the new laptop's user wasn't in. Added the user, gpupdate, drives map.
            Drives map at logon before the VPN connects. Changed the mapping to reconnect and added a login script shortcut to remap after VPN.
            Group policy preference used the server's old name. Updated the path to the DFS namespace, drives appear.
            Mapped manually with persistent flag as a workaround while the GPO was fixed; fixed the item-level targeting and removed the manual mapping.
        """,
        checks="""
            Does the share open by its UNC path? | yes \\\\fs01\\shared opens | no, access denied | server not found
            Is the user on site or on VPN? | on site | at home on VPN
            What does gpresult show? | drive mapping policy not applied | applied
        """,
        actions="""
            Ran gpupdate /force and logged off | drives mapped at next logon | still missing
            Mapped the drive manually with net use | drive available |
            Fixed the GPO item-level targeting | policy applies to the user |
        """,
        notes="""
            Drives are mapped by group policy preferences.
        """,
    ),
]
