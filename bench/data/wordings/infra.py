"""Servers, backup, cloud and line-of-business software."""

PROBLEMS = [
    dict(
        label="backup_failed",
        domain="backup",
        alt=("virtualization",),
        weight=26,
        titles="""
            Backup failed
            Veeam job failed
            Backup alert - job failed last night
            Nightly backup didn't run
            Datto backup screenshot verification failed
            Backup warning: repository low on space
            Cloud backup not completed for 3 days
            Backup job failing on SQL server
        """,
        bodies="""
            We got the email from the backup saying last night's job failed with an error.
            The monitoring shows the file server backup hasn't completed since Tuesday.
            Veeam says the job failed: not enough storage space on the repository.
            Screenshot verification on the Datto failed for the DC, it shows a black screen.
        """,
        resolutions="""
            Repository was full. Moved old restore points off, reduced retention to 30 days and reran the job, completed.
            VSS writer for SQL in a failed state. Restarted the SQL VSS writer service, job completed on retry.
            Backup service account password had expired. Updated the credentials in Veeam, job succeeded.
            Screenshot failed because the VM took too long to boot. Increased the verification wait time, passed.
            NAS target dropped off the network after a firmware update. Rebooted the NAS, reran the job.
        """,
        checks="""
            What error does the job report? | not enough space on the repository | VSS writer failed | could not connect to the target | credentials rejected
            How full is the backup target? | 98% | 60%
            When did it last succeed? | Tuesday | last night | three days ago
        """,
        actions="""
            Freed space on the repository | job completed on retry |
            Restarted the VSS writer services | writer stable |
            Updated the backup service account credentials | job succeeded |
            Reran the backup job manually | job completed | failed again
        """,
        notes="""
            Checked the backup console first thing.
        """,
    ),
    dict(
        label="file_restore",
        domain="backup",
        alt=("m365", "other"),
        weight=24,
        titles="""
            Restore deleted file
            Accidentally deleted a folder
            Need a file restored from backup
            Lost spreadsheet - can you recover it
            Overwrote a document, need the old version
            Files missing from shared drive
            Restore request - {user}
            Recover deleted emails
        """,
        bodies="""
            I accidentally deleted the whole Clients folder on the shared drive this morning, is there any way to get it back?
            I saved over a spreadsheet with the wrong figures, can I get yesterday's version back?
            Some files have gone missing from the Projects folder, I think someone moved them.
            I emptied my deleted items by mistake and there were emails in there I need.
        """,
        resolutions="""
            Restored the Clients folder from last night's backup to the original location, checked the file count with the user.
            Restored the previous version of the spreadsheet from shadow copies.
            Files had been dragged into another folder. Found them with a search by modified date and moved them back.
            Recovered the emails from Recoverable Items in Outlook.
            Restored the document from the SharePoint version history.
        """,
        checks="""
            Where was the file stored? | S drive on the file server | OneDrive | SharePoint library | mailbox
            When was it deleted or changed? | this morning | last week | not sure
        """,
        actions="""
            Restored from last night's backup | files back in place |
            Restored a previous version from shadow copies | old version recovered |
            Recovered items from Recoverable Items | emails back in the inbox |
        """,
        notes="""
            User could tell us the folder name and rough date.
        """,
    ),
    dict(
        label="server_disk_space",
        domain="virtualization",
        alt=("other", "backup"),
        weight=18,
        titles="""
            Low disk space on server
            Server C drive nearly full
            Disk space alert FS01
            Drive almost full warning
            Datastore running out of space
            Can't save files - server full
        """,
        bodies="""
            Monitoring alert: C: on the file server has less than 5% free.
            People can't save to the shared drive, it says there isn't enough space.
            The Hyper-V host's data volume is at 92%.
        """,
        resolutions="""
            WinSxS and old update files filled C:. Ran component clean up and cleared the SoftwareDistribution download cache, 18GB free.
            Old VM checkpoint was growing on the datastore. Merged the checkpoint, 300GB freed.
            IIS logs never rotated. Zipped and archived old logs, set up a clean up task.
            Data drive genuinely full. Extended the virtual disk by 200GB and the volume in Disk Management.
        """,
        checks="""
            Which volume is full? | C: on the server | data drive D: | host datastore
            What is using the space? | old checkpoints | IIS logs | user data
        """,
        actions="""
            Ran disk clean up on the server | space freed |
            Merged the old checkpoint | datastore space recovered |
            Extended the virtual disk and volume | more free space |
        """,
        notes="""
            Alert came from the RMM overnight.
        """,
    ),
    dict(
        label="vm_down",
        domain="virtualization",
        alt=("cloud",),
        weight=12,
        titles="""
            Server down
            VM not starting
            Can't reach the file server
            Hyper-V VM stuck in saved state
            Server offline alert
            Everyone lost access to the server
        """,
        bodies="""
            No one can get to any of the shared drives or the accounts software, I think the server is down.
            Monitoring shows the app server offline since the host rebooted.
            The virtual machine is stuck in saved state and won't start.
        """,
        resolutions="""
            Host rebooted for updates and the VM's automatic start action was set to nothing. Started the VM and set automatic start.
            VM stuck in saved state. Deleted the saved state and started it, no data lost.
            Host ran out of memory after another VM's dynamic memory grew. Reduced the other VM's maximum and started the server.
        """,
        checks="""
            What state is the VM in? | off | saved | running but not responding
            Is the host up? | yes | rebooted at 3am
        """,
        actions="""
            Started the VM | server back online |
            Deleted the saved state | VM started |
            Set the automatic start action | VM starts with the host |
        """,
        notes="""
            Single Hyper-V host on site.
        """,
    ),
    dict(
        label="accounting_app",
        domain="other",
        alt=("virtualization",),
        weight=20,
        titles="""
            Sage won't open
            Can't open company file in QuickBooks
            Accounts software error
            Sage data path error
            Xero bank feed not working
            Payroll software won't start
            Sage says another user is logged in
        """,
        bodies="""
            Sage is giving an error about the data path and won't let me log in.
            QuickBooks says it can't open the company file because it's on another computer.
            When I open Sage it says I'm already logged in, but I'm not.
            Payroll is due tomorrow and the payroll software won't start.
        """,
        resolutions="""
            Mapped drive to the Sage data path had dropped. Remapped it and Sage opened.
            QuickBooks database server manager service wasn't running on the server. Started it and rescanned the folder.
            Stale login left from a crashed session. Removed the user from the Sage logged in users and cleared the lock file.
            Payroll update needed admin rights to finish. Completed the update, software opens.
        """,
        checks="""
            What error is shown? | data path not found | already logged in | company file in use on another computer
            Where is the data stored? | on the server's S drive | locally
        """,
        actions="""
            Remapped the data drive | software opened |
            Started the database server manager service | company file opens |
            Cleared the stale login | user logged in |
        """,
        notes="""
            Only the accounts PCs use this package.
        """,
    ),
]
