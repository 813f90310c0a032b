"""The patterns that mark a script line as risky, per language, with severity and wording."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Rule:
    """A risky construct. `pattern` runs on the code view (comments and strings blanked);
    `also` (when set) must match the line with its strings kept."""

    rule: str
    severity: Severity
    pattern: re.Pattern[str]
    message: str
    needs_guard: bool = True
    also: re.Pattern[str] | None = None


def _r(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


# A command word in PowerShell may follow the line start, a pipe, a separator or a brace.
_PS_CMD = r"(?:^|[|;{(&=]|\bthen\b)\s*"
_SH_CMD = r"(?:^|[|;&({]|\bthen\b|\bdo\b|\belse\b|\bsudo\b|\bxargs\b|\brun\b|\bexec\b)\s*"

# Verb-noun cmdlets that do no harm although their verb usually does.
_PS_HARMLESS = (
    r"(?!Clear-Host\b|Clear-DnsClientCache\b|Clear-Variable\b|Clear-History\b|"
    r"Remove-Variable\b|Remove-Module\b|Remove-Job\b|Remove-Event\b|Remove-PSSession\b|"
    r"Remove-TypeData\b|Stop-Transcript\b|Stop-Job\b|Stop-Watch\b)"
)

POWERSHELL_RULES: tuple[Rule, ...] = (
    Rule(
        "format",
        "high",
        _r(
            r"\b(Format-Volume|Clear-Disk|Initialize-Disk|Remove-Partition|diskpart(\.exe)?)\b"
            r"|(?:^|[|;{(])\s*format(\.com)?\s+[a-z]:"
        ),
        "Formats or wipes a disk or volume: every file on it is lost.",
    ),
    Rule(
        "account_change",
        "high",
        _r(
            r"\b(Disable-ADAccount|Enable-ADAccount|Unlock-ADAccount|Set-ADAccountPassword|"
            r"Set-ADAccountExpiration|Set-ADUser|Set-ADAccountControl|Disable-LocalUser|"
            r"Set-LocalUser|Update-MgUser|Revoke-MgUserSignInSession|Set-MsolUser|"
            r"Set-MsolUserPassword|Set-Mailbox|Add-ADGroupMember|Add-LocalGroupMember)\b"
            r"|\bnet(\.exe)?\s+user\b.*\s/(active|delete|add)"
        ),
        "Changes a user account (state, password, rights or mailbox).",
    ),
    Rule(
        "delete",
        "high",
        _r(
            r"\b"
            + _PS_HARMLESS
            + r"(Remove|Clear|Uninstall|Unregister)-[A-Za-z]+\b"
            + r"|"
            + _PS_CMD
            + r"(del|erase|rd|rmdir|ri|rm)(?=\s|$)"
            + r"|\bwevtutil(\.exe)?\s+cl\b|\bnetsh(\.exe)?\s.*\bdelete\b"
            + r"|\bvssadmin(\.exe)?\s+(delete|resize)\b|\bcipher(\.exe)?\s+/w\b"
            + r"|\bwbadmin(\.exe)?\s+delete\b|\bwmic(\.exe)?\b.*\bdelete\b"
            + r"|\bfsutil(\.exe)?\s+usn\s+deletejournal\b|\bschtasks(\.exe)?\s+/delete\b"
            + r"|\bsdelete(64)?(\.exe)?\b|\breagentc(\.exe)?\s+/disable\b"
        ),
        "Deletes or removes data or objects.",
    ),
    Rule(
        "registry_write",
        "high",
        _r(
            r"\b(Set-ItemProperty|New-ItemProperty|Rename-ItemProperty|Copy-ItemProperty)\b"
            r"|\breg(\.exe)?\s+(add|delete|import|restore|load|unload|copy)\b"
            r"|\.SetValue\(|\bCreateSubKey\("
        ),
        "Writes to the registry.",
    ),
    Rule(
        "registry_write",
        "high",
        _r(r"\bNew-Item\b"),
        "Writes to the registry.",
        also=_r(r"HK(LM|CU|CR|U|CC)\b|Registry::|HKEY_"),
    ),
    Rule(
        "service_stop",
        "medium",
        _r(
            r"\b" + _PS_HARMLESS + r"(Stop|Restart|Suspend)-(?!Computer\b)[A-Za-z]+\b"
            r"|\bnet(\.exe)?\s+stop\b|\bsc(\.exe)?\s+(stop|config|delete)\b"
            r"|\btaskkill(\.exe)?\b|\bSet-Service\b.*-StartupType\s+Disabled"
        ),
        "Stops, restarts or suspends a service, process, machine or VM.",
    ),
    Rule(
        "reboot",
        "high",
        _r(r"\bshutdown(\.exe)?\s+/[rsp]\b|\b(Restart|Stop)-Computer\b"),
        "Restarts or shuts down the computer.",
    ),
    Rule(
        "move_rename",
        "medium",
        _r(r"\b(Rename-Item|Move-Item)\b|" + _PS_CMD + r"(ren|move|mv|mi|rni)(?=\s|$)"),
        "Moves or renames files or folders.",
    ),
    Rule(
        "network_change",
        "medium",
        _r(
            r"\bipconfig(\.exe)?\s+/release\b|\bnetsh(\.exe)?\s+(winsock|int(erface)?\s+\S+)\s+reset\b"
            r"|\b(Disable|Restart)-NetAdapter\b|\bSet-NetIPInterface\b|\bSet-DnsClientServerAddress\b"
            r"|\bRemove-NetRoute\b|\bNew-NetRoute\b|\bSet-NetIPAddress\b"
        ),
        "Changes network settings: the connection may drop, including a remote session.",
    ),
    Rule(
        "security_change",
        "high",
        _r(
            r"\bSet-MpPreference\b.*-Disable|\bAdd-MpPreference\b.*-Exclusion"
            r"|\bSet-NetFirewallProfile\b|\bnetsh(\.exe)?\s+(adv)?firewall\b.*\b(off|disable)\b"
            r"|\bSet-ExecutionPolicy\b|\bDisable-BitLocker\b|\bSuspend-BitLocker\b"
            r"|\bbcdedit(\.exe)?\b|\bw32tm(\.exe)?\s+/config\b"
        ),
        "Changes security or system configuration.",
    ),
    Rule(
        "remote_execution",
        "high",
        _r(
            r"\bInvoke-Command\b.*-(ComputerName|Session|HostName|VMName|VMId|Cn)\b"
            r"|\b(Enter-PSSession|New-PSSession|Invoke-WmiMethod|Invoke-CimMethod)\b.*-(ComputerName|CimSession|Cn)\b"
            r"|\b(Enter-PSSession|psexec(64)?(\.exe)?|paexec(\.exe)?|winrs(\.exe)?)\b"
            r"|\bschtasks(\.exe)?\s+/create\b.*\s/s\s"
        ),
        "Runs commands on another computer.",
    ),
    Rule(
        "dynamic_code",
        "high",
        _r(
            r"\b(Invoke-Expression|iex)\b|\[scriptblock\]::Create\(|\.DownloadString\("
            r"|-(EncodedCommand|enc|ec)\s|\b(powershell|pwsh)(\.exe)?\b.*\s-e\s|\.InvokeScript\(|\bInvokeCommand\.\w+\("
            r"|\.Invoke\(\s*\)|\[char\]\s*\d+\s*\+|\bFromBase64String\("
            # the call or dot-source operator on a built string, a cast or a subexpression
            r"|(?:^|[|;{(=]|\s)[&.]\s*[(\[]"
        ),
        "Runs code built or downloaded at run time, which cannot be reviewed beforehand.",
    ),
)

BASH_RULES: tuple[Rule, ...] = (
    Rule(
        "format",
        "high",
        _r(
            _SH_CMD + r"(mkfs(\.\w+)?|mkswap|wipefs|shred|fdisk|sfdisk|sgdisk|parted|blkdiscard)\b"
            r"|\bdd\b.*\bof=/dev/"
        ),
        "Formats, partitions or wipes a disk: every file on it is lost.",
    ),
    Rule(
        "delete",
        "high",
        _r(
            _SH_CMD + r"(/bin/|/usr/bin/)?(rm|rmdir|unlink)(?=\s|$)"
            r"|\bfind\b.*\s-delete\b|\bfind\b.*-exec(dir)?\s+(/bin/)?rm\b"
            r"|\brsync\b.*--delete|" + _SH_CMD + r"truncate\b|\bjournalctl\b.*--vacuum-"
            r"|\b(apt|apt-get|yum|dnf|zypper)\s+(-y\s+)?(remove|purge|autoremove|erase)\b"
            r"|\bdocker\s+(rm|rmi|volume\s+rm|system\s+prune)\b|\buserdel\b|\bgroupdel\b"
            r"|\bcrontab\s+(-u\s+\S+\s+)?-r\b|\blvremove\b|\bvgremove\b|\bpvremove\b"
            r"|\bzfs\s+destroy\b|\bbtrfs\s+subvolume\s+delete\b"
        ),
        "Deletes files, packages, logs or objects.",
    ),
    Rule(
        "system_file_write",
        "high",
        _r(
            r"(?<![<>&\d])>\|?\s*/(etc|boot|bin|sbin|usr|lib|lib64|root|var/lib|var/log)/"
            r"|\btee\s+(-a\s+)?/(etc|boot|bin|sbin|usr|lib|lib64|root)/"
            r"|>\s*/dev/(sd[a-z]|nvme\d|hd[a-z]|vd[a-z]|xvd[a-z]|mmcblk\d)"
            r"|\b(cp|mv|install|ln\s+-s?f)\b[^|;&]*\s/(etc|boot|bin|sbin|usr/bin|usr/sbin)/"
        ),
        "Overwrites a system file or device.",
    ),
    Rule(
        "system_file_write",
        "medium",
        _r(r">>\s*/(etc|boot|root)/|\bsed\s+-i\b[^|;&]*\s/etc/"),
        "Changes a system configuration file.",
    ),
    Rule(
        "account_change",
        "high",
        _r(_SH_CMD + r"(usermod|passwd|chpasswd|chage|gpasswd|useradd|adduser|deluser)\b"),
        "Changes a user account (state, password or groups).",
    ),
    Rule(
        "service_stop",
        "medium",
        _r(
            r"\bsystemctl\s+(\S+\s+){0,4}(stop|restart|disable|mask|kill|isolate|try-restart|reload-or-restart)\b"
            r"|\bservice\s+\S+\s+(stop|restart)\b"
            r"|" + _SH_CMD + r"(kill|pkill|killall)\b"
        ),
        "Stops or restarts a service or process.",
    ),
    Rule(
        "reboot",
        "high",
        _r(_SH_CMD + r"(reboot|poweroff|halt|shutdown)\b|\bsystemctl\s+(reboot|poweroff|halt)\b"),
        "Restarts or shuts down the machine.",
    ),
    Rule(
        "network_change",
        "medium",
        _r(
            r"\bip\s+(link|addr|address|route)\s+(set|del|delete|flush|add)\b|\bifdown\b"
            r"|\bnmcli\b.*\b(down|off|delete|modify)\b|\bnetplan\s+apply\b"
        ),
        "Changes network settings: the connection may drop, including this SSH session.",
    ),
    Rule(
        "security_change",
        "high",
        _r(
            r"\bufw\s+(disable|reset|delete)\b|\biptables\s+(-F|--flush|-X|-P\s+\w+\s+ACCEPT)"
            r"|\bsetenforce\s+0\b|\bchmod\s+(-R\s+)?0?777\b|\bnft\s+flush\b"
        ),
        "Weakens security settings.",
    ),
    Rule(
        "remote_execution",
        "high",
        _r(
            r"\b(curl|wget)\b[^|\n]*\|\s*(sudo\s+)?(ba|z|k|da)?sh\b|\b(ba)?sh\s+<\(\s*(curl|wget)"
            r"|\b(source|\.)\s+<\(\s*(curl|wget)|\bpdsh\b|\bansible\b.*\s-m\s+(shell|command)"
        ),
        "Runs commands on another machine or code fetched from the network.",
    ),
    Rule(
        "dynamic_code",
        "high",
        _r(
            _SH_CMD + r"eval\b"
            # anything piped into a shell or an interpreter, and process substitution run as code
            r"|\|\s*(sudo\s+)?(-\S+\s+)*(/bin/|/usr/bin/)?(ba|z|k|da|c|tc)?sh\b(?!\s+-n\b)"
            r"|\|\s*(sudo\s+)?(/usr/bin/)?(python[23]?|perl|ruby|node|php)\s*(-\s*)?(\||;|&|$)"
            r"|\b(ba|z)?sh\s+<\(|\b(source|\.)\s+<\("
            r"|\bbase64\s+(-d|--decode|-D)\b|\bxxd\s+-r\b|\bopenssl\s+(base64|enc)\s.*-d\b"
        ),
        "Runs code built or decoded at run time, which cannot be reviewed beforehand.",
    ),
    Rule(
        "fork_bomb",
        "high",
        re.compile(r"([\w:.]+)\s*\(\)\s*\{[^}]*\1\s*\|\s*\1\s*&[^}]*\}"),
        "A fork bomb: it starts copies of itself until the machine stops responding.",
    ),
)

# ssh runs a remote command when anything follows the host; these options take a value.
SSH_OPTIONS_WITH_VALUE = frozenset("bcDEeFIiJLlmOopQRSWw")
SSH_COMMAND = re.compile(r"(?:^|[|;&(]|\bthen\b|\bdo\b)\s*(?:sudo\s+)?ssh\s+(?P<args>[^|;&\n]*)")


# Code handed to another interpreter as text: its content is reviewed as that language.
# (pattern, language of the content); the content is the quoted text or encoded payload.
INLINE_INTERPRETERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_r(r"(\bcmd(\.exe)?\b|\$env:ComSpec)[^|;]*?\s/[ckCK]\b"), "powershell"),
    (_r(r"\bStart-Process\b[^|;]*\b(cmd|powershell|pwsh)(\.exe)?\b"), "powershell"),
    (_r(r"\b(powershell|pwsh)(\.exe)?\b[^|;]*\s-(Command|c)\b"), "powershell"),
    (_r(r"\b(ba|z|k|da)?sh\s+(-\w+\s+)*-\w*c\b"), "bash"),
    (_r(r"\b(su|sudo|runuser)\b[^|;]*\s-c\b"), "bash"),
    (_r(r"\bpython[23]?(\.\d+)?\s+(-\w+\s+)*-c\b"), "python"),
    (_r(r"\b(perl|ruby)\s+(-\w+\s+)*-e\b|\bnode\s+(-e|--eval)\b|\bphp\s+-r\b"), "python"),
)

# What inline Python (and the like) may do that matters.
PYTHON_RULES: tuple[Rule, ...] = (
    Rule(
        "delete",
        "high",
        _r(r"\bshutil\.rmtree\b|\bos\.(remove|unlink|rmdir|removedirs)\b|\.unlink\(|\bunlink\b"),
        "Deletes files or folders.",
    ),
    Rule(
        "dynamic_code",
        "high",
        _r(
            r"\bos\.(system|popen|exec\w*)\b|\bsubprocess\b|\b(exec|eval)\s*\(|__import__|\bsystem\("
        ),
        "Runs further commands from inline code.",
    ),
)

# Steps with no legitimate place in a service-desk script: refused whatever guards them.
CATASTROPHIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"([\w:.]+)\s*\(\)\s*\{[^}]*\1\s*\|\s*\1\s*&[^}]*\}"),
        "a fork bomb",
    ),
    (
        _r(
            r"\brm\s+(-\S+\s+)*-\S*[rR]\S*\s+(-\S+\s+)*(--\s+)?[\"']?/(\*|"
            r"(bin|boot|dev|etc|home|lib|lib64|opt|proc|root|sbin|srv|sys|usr|var)/?\*?)?[\"']?"
            r"(?=\s|$|;|&|\|)|--no-preserve-root"
        ),
        "deleting the root of the file system or a top-level system folder",
    ),
    (
        _r(
            r"\b(Remove-Item|ri|rm|del|erase|rd|rmdir)\b[^|;]*?[\s'\"]"
            r"([a-z]:|\$env:(SystemDrive|SystemRoot|windir|ProgramFiles))"
            r"(\\|/)?(\*|Windows|Windows\\System32|Program Files|Users)?\\?[\"']?(?=[\s;|)]|$)"
        ),
        "deleting a drive root or a Windows system folder",
    ),
    (_r(r"\bFormat-Volume\b[^|;]*-DriveLetter\s+['\"]?C\b|\bformat(\.com)?\s+c:"), "formatting C:"),
    (
        _r(r"(?<![<>&\d])>\|?\s*/etc/(passwd|shadow|sudoers|group)\b"),
        "overwriting the user database",
    ),
    (
        _r(r"\bch(mod|own)\s+(-\S+\s+)*-\S*R\S*\s+\S+\s+/(?=\s|$|;)"),
        "changing every file's permissions",
    ),
    (
        _r(r"\bshutil\.rmtree\(\s*[rbu]?['\"](/|[a-z]:\\\\?)['\"]"),
        "deleting the root of the file system",
    ),
    (
        _r(r"\bdd\b[^|;]*\bof=/dev/(sd[a-z]|nvme\d+n\d+|hd[a-z]|vd[a-z]|xvd[a-z])(?=\s|$)"),
        "overwriting a whole disk",
    ),
)


def rules_for(language: str) -> tuple[Rule, ...]:
    if language == "python":
        return PYTHON_RULES
    return POWERSHELL_RULES if language == "powershell" else BASH_RULES
