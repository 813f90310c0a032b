"""Microsoft 365 apps: Teams, OneDrive, SharePoint and Office activation."""

PROBLEMS = [
    dict(
        label="teams_camera",
        domain="m365",
        alt=("hardware", "endpoint"),
        weight=26,
        titles="""
            Camera not working in Teams
            Teams can't find my webcam
            no video in teams calls
            Webcam black screen in Teams
            Teams camera greyed out
            camera not detected
            Others can't see me on Teams
            Teams says no camera available
            Laptop camera not working for meetings
            webcam issue - Teams
        """,
        bodies="""
            I've got a client call at 2 and Teams says it can't find a camera, it was working last week.
            My camera just shows a black screen in Teams meetings, the little light doesn't come on.
            The turn camera on button is greyed out in Teams.
            People on the call say they can only see my initials, not my video.
            Camera works in the Windows camera app but not in Teams.
        """,
        resolutions="""
            Windows privacy setting had camera access off for desktop apps after an update. Turned it back on, Teams sees the camera.
            Lenovo privacy shutter was closed. Opened it, video working. Showed the user the switch.
            Another app (the Zoom client) was holding the camera. Closed it and disabled its auto start.
            Camera driver was missing after the Windows feature update. Installed the driver from Lenovo Vantage, camera detected.
            Cleared the Teams cache and reinstalled new Teams, camera works in meetings.
        """,
        checks="""
            Does the camera work in the Windows Camera app? | yes works there | no, black screen there too | says no camera attached
            Is there a physical shutter or F-key for the camera? | shutter was closed | no shutter
            Is another app using the camera? | Zoom running in the tray | no
        """,
        actions="""
            Turned on camera access in Windows privacy settings | Teams shows the camera |
            Reinstalled the camera driver | camera detected in Device Manager | still unknown device
            Cleared the Teams cache | camera available in the device settings | no change
        """,
        notes="""
            User on a ThinkPad T14 with a docking station.
        """,
    ),
    dict(
        label="teams_signin",
        domain="m365",
        alt=("security",),
        weight=22,
        titles="""
            Can't sign in to Teams
            Teams sign in loop
            Teams keeps asking me to log in
            Teams error caa20002
            teams wont let me log in
            Teams stuck on loading after login
            Teams "we couldn't connect you"
            Teams signed in with wrong account
            Teams login issue
        """,
        bodies="""
            Teams keeps taking me back to the sign in page after I put my password and approve the code.
            I'm getting error caa20002 when I open Teams this morning.
            Teams just shows the spinning circle after I log in, it never opens.
            Teams has signed me in as my old personal account and I can't get it to use my work one.
        """,
        resolutions="""
            Cleared the new Teams cache under LocalAppData\\Packages\\MSTeams and removed the stale work account from Windows, signed in fine.
            Device was not registered in Entra after reimage. Joined it to the tenant under Access work or school, Teams signs in.
            Conditional access blocked the sign in from an unmanaged device. Enrolled the laptop in Intune, policy satisfied.
            Clock on the laptop was 15 minutes out which broke the token. Resynced time, Teams signed in.
        """,
        checks="""
            What error does Teams show? | caa20002 | sign in loop, no error | stuck on loading
            Can the user sign in to Teams on the web? | yes teams.microsoft.com works | no
            What do the Entra sign-in logs show? | blocked by conditional access | success | MFA interrupted
        """,
        actions="""
            Cleared the Teams cache | Teams signed in | loop again
            Removed old work accounts from Windows settings | only the correct account left |
            Resynced the Windows clock | time correct |
        """,
        notes="""
            Outlook and OneDrive sign in fine, only Teams affected.
        """,
    ),
    dict(
        label="teams_audio",
        domain="m365",
        alt=("hardware",),
        weight=18,
        titles="""
            People can't hear me on Teams
            Headset mic not working in Teams calls
            No sound in Teams
            Teams audio echo
            Can't hear anyone in meetings
            Microphone not picking up in Teams
            Jabra headset not working
            Teams calls sound robotic
        """,
        bodies="""
            Nobody can hear me on Teams calls, I can hear them fine. I'm using my usual headset.
            When I join a meeting there's no sound at all, YouTube works through the speakers.
            My voice keeps cutting out on Teams calls and people say I sound like a robot.
            The new Jabra headset works for music but Teams won't use the microphone.
        """,
        resolutions="""
            Teams device settings had the laptop mic selected. Set the Jabra as speaker and microphone, test call fine.
            Microphone access for desktop apps was off in Windows privacy settings. Enabled it.
            Robotic audio caused by a weak wifi signal at the desk. Moved the user to a cabled dock port, calls clear.
            Updated Jabra firmware with Jabra Direct and set it as the default communications device.
        """,
        checks="""
            What does the Teams test call show? | mic not picking up | echo on playback | sounds fine
            Which audio device is selected in Teams? | laptop speakers | the headset | a disconnected USB device
        """,
        actions="""
            Changed the audio devices in Teams settings | test call clear |
            Updated the headset firmware | headset recognised for calls |
            Made a test call | audio fine |
        """,
        notes="""
            Headset connects with a USB dongle.
        """,
    ),
    dict(
        label="onedrive_sync",
        domain="m365",
        alt=("cloud", "endpoint"),
        weight=38,
        titles="""
            OneDrive not syncing
            One drive stuck on processing changes
            OneDrive red cross on files
            Files not syncing to SharePoint
            OneDrive sync error
            OneDrive stuck "looking for changes"
            Files not updating between PCs
            Sync pending on OneDrive
            onedrive keeps saying sync paused
            OneDrive won't sync desktop folder
            Changes not showing for colleagues in synced folder
            one drive issues
        """,
        bodies="""
            OneDrive has been stuck on processing changes since yesterday and my files aren't showing on my other computer.
            Lots of my files have little red crosses on them in File Explorer and OneDrive says there are sync problems.
            I save spreadsheets in the shared Finance folder but my colleagues can't see the changes.
            OneDrive icon has a pause symbol and when I click resume it just pauses again.
            Sync icon has been spinning for two days, it says 3,000 files to upload.
            OneDrive says it can't sync some files because the path is too long.
        """,
        resolutions="""
            Sync database was corrupt. Reset OneDrive with onedrive.exe /reset, relaunched and let it resync the library.
            Files had characters OneDrive does not allow and paths over 400 characters. Renamed the offending files and folders, sync cleared.
            User was signed into OneDrive with the wrong tenant account after the migration. Unlinked and linked the correct account.
            Library had over 300,000 items synced on one PC. Stopped syncing the archive folders and used shortcuts instead, sync caught up.
            Battery saver was pausing sync. Turned off pause when on battery, sync resumed.
            Storage full on the user's OneDrive. Cleared the recycle bin and moved old files to the team site.
        """,
        checks="""
            What does the OneDrive activity centre say? | processing changes | 1,500 files can't sync | sync paused
            Are there files with invalid names or long paths? | yes, some paths over 400 chars | a file named with a colon | no
            Which account is OneDrive signed in with? | correct work account | old tenant account
            How many files are being synced? | around 300k from SharePoint | normal amount
        """,
        actions="""
            Reset OneDrive with onedrive.exe /reset | OneDrive restarted and resynced | still stuck after the reset
            Renamed files with invalid characters | sync errors cleared |
            Unlinked and relinked the OneDrive account | correct library syncing |
            Stopped syncing the large archive library | remaining files synced |
        """,
        notes="""
            User works from home most days on a slow line.
        """,
    ),
    dict(
        label="sharepoint_access",
        domain="m365",
        alt=("cloud", "security"),
        weight=18,
        titles="""
            Can't access SharePoint site
            Access denied on team site
            Need access to the HR SharePoint
            "You need permission to access this item"
            SharePoint asking for permission
            Link to shared document not working
            Can't open file shared by client
            Lost access to project folder in SharePoint
        """,
        bodies="""
            I click the link to the Operations site and it says I need permission and offers a request access button.
            A client shared a document with me and when I open the link it asks me to sign in with another account.
            {user} needs to be able to edit the files in the Projects library, she can only view them.
            I could get into the HR site last week and now I get access denied.
        """,
        resolutions="""
            Added the user to the site Members group. Access works after a refresh.
            External sharing for the client's tenant required a guest account. Redeemed the invite with the right account, document opens.
            Unique permissions on the Projects library blocked edits. Re-inherited permissions from the site with the owner's ok.
            User had been removed from the HR security group in a clean up. Added back after the HR manager approved.
        """,
        checks="""
            Which site or library? | Operations team site | HR site | Projects document library
            Is the user in the site's Members group? | no | yes, but the library has unique permissions
        """,
        actions="""
            Added the user to the site Members group | user can open and edit |
            Re-inherited library permissions | edit access restored |
            Resent the guest invite | guest access works |
        """,
        notes="""
            Site owner approved the access by email.
        """,
    ),
    dict(
        label="office_activation",
        domain="m365",
        alt=("endpoint",),
        weight=14,
        titles="""
            Office says unlicensed product
            Word not activated
            Excel read only - licence
            Office activation failed
            Product notice - most features disabled
            Microsoft 365 licence error
            Word asking to activate
        """,
        bodies="""
            Word and Excel have a red bar at the top saying unlicensed product, I can't edit anything.
            When I open Excel it asks me to sign in to activate and then says no licence found.
            Office suddenly says most features have been disabled because it's not activated.
        """,
        resolutions="""
            User had no Microsoft 365 Apps licence after the licence change. Assigned Business Standard, signed out and in, activated.
            Shared computer activation was needed on the RDS server. Enabled it via policy, Office activates for every user.
            Hit the five installs limit. Deactivated old PCs from the user's account portal and activated.
            Cleared the old activation with the OLicenseCleanup script and signed in again, Office activated.
        """,
        checks="""
            What licence does the user have? | Exchange Online only | Business Standard | none
            How many installs are active? | five, the limit | two
        """,
        actions="""
            Assigned a Microsoft 365 Apps licence | Office activated after sign in |
            Removed old installs from the account portal | activation succeeded |
            Ran the licence cleanup script | Office asked to sign in and activated |
        """,
        notes="""
            Licences were changed last month to save costs.
        """,
    ),
]
