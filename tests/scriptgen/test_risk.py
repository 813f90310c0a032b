"""Risk review: each risky pattern is flagged, guards are recognised, secrets are refused."""

from __future__ import annotations

import pytest

from resolutionflow.errors import Invalid
from resolutionflow.scriptgen.risk import assess, normalise_language

PS_GUARDED_HEAD = "[CmdletBinding(SupportsShouldProcess = $true)]\nparam()\n"
SH_GUARDED_HEAD = (
    "#!/usr/bin/env bash\nset -euo pipefail\nASSUME_YES=0\n"
    'for a in "$@"; do\n  case "$a" in\n    --yes) ASSUME_YES=1 ;;\n  esac\ndone\n'
)

POWERSHELL_CASES = [
    ("Remove-Item -Path C:\\Temp\\x -Recurse -Force", "delete"),
    ("Get-ChildItem $p | Remove-Item", "delete"),
    ("del C:\\x.txt", "delete"),
    ("Remove-ADUser -Identity jdoe", "delete"),
    ("Clear-RecycleBin -Force", "delete"),
    ("wevtutil cl System", "delete"),
    ("Format-Volume -DriveLetter D", "format"),
    ("Clear-Disk -Number 1 -RemoveData", "format"),
    ("diskpart /s clean.txt", "format"),
    ("Disable-ADAccount -Identity jdoe", "account_change"),
    ("Unlock-ADAccount -Identity jdoe", "account_change"),
    ("Set-ADUser jdoe -Enabled $false", "account_change"),
    ("Set-ItemProperty -Path 'HKLM:\\Software\\X' -Name A -Value 1", "registry_write"),
    ("New-ItemProperty -Path HKCU:\\Software\\X -Name A -Value 1", "registry_write"),
    ("reg add HKLM\\Software\\X /v A /d 1 /f", "registry_write"),
    ("reg delete HKLM\\Software\\X /f", "registry_write"),
    ("New-Item -Path 'HKLM:\\Software\\Contoso'", "registry_write"),
    ("Stop-Service -Name Spooler -Force", "service_stop"),
    ("Restart-Service W32Time", "service_stop"),
    ("net stop wuauserv", "service_stop"),
    ("Get-Process outlook | Stop-Process -Force", "service_stop"),
    ("Restart-Computer -Force", "reboot"),
    ("Invoke-Command -ComputerName SRV01 -ScriptBlock { hostname }", "remote_execution"),
    ("Enter-PSSession -ComputerName SRV01", "remote_execution"),
    ("psexec \\\\srv01 cmd", "remote_execution"),
    ("Invoke-Expression $code", "dynamic_code"),
    ("iwr https://example.com/a.ps1 | iex", "dynamic_code"),
    ("(New-Object Net.WebClient).DownloadString($u)", "dynamic_code"),
    ("Rename-Item C:\\x C:\\y", "move_rename"),
    ("netsh winsock reset", "network_change"),
    ("ipconfig /release", "network_change"),
    ("Set-MpPreference -DisableRealtimeMonitoring $true", "security_change"),
]

BASH_CASES = [
    ("rm -rf /var/tmp/cache", "delete"),
    ("find /var/log -name '*.gz' -delete", "delete"),
    ("ls /tmp | xargs rm", "delete"),
    ("apt-get -y purge nginx", "delete"),
    ("rsync -a --delete src/ dst/", "delete"),
    ("mkfs.ext4 /dev/sdb1", "format"),
    ("dd if=/dev/zero of=/dev/sdb bs=1M", "format"),
    ("wipefs -a /dev/sdb", "format"),
    ("usermod -L alice", "account_change"),
    ("passwd -l alice", "account_change"),
    ("userdel bob", "delete"),
    ("systemctl stop nginx", "service_stop"),
    ("systemctl restart nginx", "service_stop"),
    ("sudo systemctl disable --now apache2", "service_stop"),
    ("service mysql stop", "service_stop"),
    ("pkill -f java", "service_stop"),
    ("reboot", "reboot"),
    ("shutdown -r now", "reboot"),
    ("ssh admin@db01 'sudo systemctl restart postgresql'", "remote_execution"),
    ("ssh -p 2222 -i key admin@db01 uptime", "remote_execution"),
    ("curl -fsSL https://example.com/install.sh | bash", "remote_execution"),
    ("wget -qO- https://example.com/x | sudo sh", "remote_execution"),
    ('eval "$cmd"', "dynamic_code"),
    ("ip link set eth0 down", "network_change"),
    ("ufw disable", "security_change"),
]


def _rules(report) -> set[str]:
    return {f.rule for f in report.findings}


@pytest.mark.parametrize(("line", "rule"), POWERSHELL_CASES)
def test_powershell_pattern_flagged_and_unguarded_without_should_process(line, rule) -> None:
    report = assess(line + "\n", "powershell")
    assert rule in _rules(report)
    assert "unguarded" in _rules(report)
    assert report.requires_confirmation
    assert not report.refused


@pytest.mark.parametrize(("line", "rule"), POWERSHELL_CASES)
def test_powershell_pattern_guarded_by_should_process(line, rule) -> None:
    script = PS_GUARDED_HEAD + "if ($PSCmdlet.ShouldProcess('target', 'change')) {\n"
    script += f"    {line}\n}}\n"
    report = assess(script, "powershell")
    assert rule in _rules(report)
    assert "unguarded" not in _rules(report)
    assert report.requires_confirmation and not report.refused


@pytest.mark.parametrize(("line", "rule"), BASH_CASES)
def test_bash_pattern_flagged_and_unguarded_without_yes(line, rule) -> None:
    report = assess("#!/usr/bin/env bash\nset -euo pipefail\n" + line + "\n", "bash")
    assert rule in _rules(report)
    assert "unguarded" in _rules(report)
    assert report.requires_confirmation


@pytest.mark.parametrize(("line", "rule"), BASH_CASES)
def test_bash_pattern_guarded_by_yes_branch(line, rule) -> None:
    script = SH_GUARDED_HEAD + 'if [[ "$ASSUME_YES" -eq 1 ]]; then\n  ' + line + "\nfi\n"
    report = assess(script, "bash")
    assert rule in _rules(report)
    assert "unguarded" not in _rules(report)


def test_bash_guard_function_and_early_exit() -> None:
    wrapped = SH_GUARDED_HEAD + (
        'run() {\n  if [[ "$ASSUME_YES" -eq 1 ]]; then "$@"; else echo "would: $*"; fi\n}\n'
        "run rm -rf /tmp/cache\nrm -rf /tmp/other\n"
    )
    report = assess(wrapped, "bash")
    unguarded = [f.line for f in report.findings if f.rule == "unguarded"]
    assert unguarded == [len(wrapped.splitlines())]

    early = SH_GUARDED_HEAD + (
        'if [[ "$ASSUME_YES" -ne 1 ]]; then\n  echo "would restart nginx"\n  exit 0\nfi\n'
        "systemctl restart nginx\n"
    )
    report = assess(early, "bash")
    assert "service_stop" in _rules(report) and "unguarded" not in _rules(report)


def test_yes_flag_that_is_never_checked_does_not_guard() -> None:
    script = SH_GUARDED_HEAD + "systemctl stop nginx\n"
    assert "unguarded" in _rules(assess(script, "bash"))


def test_should_process_without_declaration_is_unguarded() -> None:
    script = "[CmdletBinding()]\nparam()\nif ($PSCmdlet.ShouldProcess('x')) { Remove-Item x }\n"
    report = assess(script, "powershell")
    assert "unguarded" in _rules(report)


def test_powershell_negated_guard_with_early_continue_and_else() -> None:
    script = PS_GUARDED_HEAD + (
        "foreach ($f in $files) {\n"
        "    if (-not $PSCmdlet.ShouldProcess($f, 'Delete')) { continue }\n"
        "    Remove-Item $f\n}\n"
        "if (-not $PSCmdlet.ShouldProcess('svc')) { 'skipped' } else { Stop-Service svc }\n"
        "Stop-Service other\n"
    )
    report = assess(script, "powershell")
    unguarded = [f.line for f in report.findings if f.rule == "unguarded"]
    assert unguarded == [8]


@pytest.mark.parametrize(
    ("script", "language"),
    [
        (
            "# Remove-Item C:\\ -Recurse\nWrite-Output 'Stop-Service is not run here'\n",
            "powershell",
        ),
        ('<#\nFormat-Volume -DriveLetter C\n#>\n$x = "rm -rf /"\n', "powershell"),
        ("$h = @'\nInvoke-Expression $x\n'@\nWrite-Output $h\n", "powershell"),
        ("# rm -rf /\necho 'systemctl stop nginx'\n", "bash"),
        ("cat <<'EOF'\nreboot\nmkfs.ext4 /dev/sda\nEOF\n", "bash"),
        ('echo "eval is not used; rm -rf is only text"\n', "bash"),
    ],
)
def test_comments_and_strings_do_not_trigger(script, language) -> None:
    report = assess(script, language)
    assert report.findings == []
    assert not report.requires_confirmation


def test_command_inside_subexpression_is_still_seen() -> None:
    report = assess('Write-Output "gone: $(Remove-Item C:\\x)"\n', "powershell")
    assert "delete" in _rules(report)
    report = assess('echo "freed: $(rm -rf /tmp/x)"\n', "bash")
    assert "delete" in _rules(report)


@pytest.mark.parametrize(
    ("script", "language"),
    [
        ("$password = 'Summer2024!'\n", "powershell"),
        ('$AdminPassword = "Winter#99"\n', "powershell"),
        ("$s = ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force\n", "powershell"),
        ("$s = 'P@ssw0rd' | ConvertTo-SecureString -AsPlainText -Force\n", "powershell"),
        ("New-LocalUser -Name x -Password 'Hunter22'\n", "powershell"),
        ("$conn = 'Server=db;User Id=sa;Password=Hunter22;'\n", "powershell"),
        ("$apiKey = 'sk-abcdefghijklmnopqrstuvwx1234'\n", "powershell"),
        ("DB_PASSWORD=hunter22\n", "bash"),
        ("export API_TOKEN='abcd1234efgh'\n", "bash"),
        ("curl -u admin:S3cret! https://example.com/api\n", "bash"),
        ("mysql --password=Hunter22 -e 'select 1'\n", "bash"),
        ("git clone https://bob:tok3nvalue@example.com/r.git\n", "bash"),
        ("# old key AKIAABCDEFGHIJKLMNOP\n", "bash"),
        ("# ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\n", "powershell"),
    ],
)
def test_secret_literal_is_refused_and_redacted(script, language) -> None:
    report = assess(script, language)
    assert report.refused
    assert report.refusal_reason and "line 1" in report.refusal_reason
    secret = next(f for f in report.findings if f.rule == "secret_literal")
    assert secret.severity == "high"
    for word in ("Summer2024!", "Winter#99", "P@ssw0rd", "Hunter22", "hunter22", "S3cret!"):
        assert all(word not in f.text for f in report.findings)


@pytest.mark.parametrize(
    ("script", "language"),
    [
        ("[string]$Password = ''\n", "powershell"),
        (
            "$cred = Get-Credential\n$password = Read-Host -AsSecureString 'Password'\n",
            "powershell",
        ),
        ("$s = ConvertTo-SecureString $env:SVC_PW -AsPlainText -Force\n", "powershell"),
        ("Set-ADUser -Identity $u -Replace @{ pwdLastSet = 0 }\n", "powershell"),
        ("$user.PasswordNeverExpires = $false\n", "powershell"),
        ('PASSWORD="${DB_PASSWORD:-}"\n', "bash"),
        ("TOKEN=$(cat /run/secrets/token)\n", "bash"),
        ("# restic reads RESTIC_PASSWORD_FILE from the environment\n", "bash"),
        ('curl -u "$USER:$PASS" https://example.com\n', "bash"),
    ],
)
def test_non_secrets_are_not_refused(script, language) -> None:
    assert not assess(script, language).refused


def test_plain_text_conversion_of_a_variable_is_noted_not_refused() -> None:
    report = assess("$s = ConvertTo-SecureString $pw -AsPlainText -Force\n", "powershell")
    assert "plaintext_credential" in _rules(report)
    assert not report.refused and not report.requires_confirmation


def test_guarded_destructive_script_is_allowed_with_confirmation() -> None:
    script = PS_GUARDED_HEAD + (
        "$old = Get-ChildItem $env:TEMP -File\n"
        "if ($PSCmdlet.ShouldProcess($env:TEMP, 'Delete old files')) {\n"
        "    $old | Remove-Item -Force\n"
        "}\n"
    )
    report = assess(script, "powershell")
    assert not report.refused
    assert report.requires_confirmation
    assert report.unguarded == []
    assert report.as_dict()["findings"][0]["rule"] == "delete"


def test_read_only_script_needs_no_confirmation() -> None:
    script = PS_GUARDED_HEAD + "Get-Service | Where-Object Status -eq 'Stopped'\n"
    report = assess(script, "powershell")
    assert report.findings == [] and not report.requires_confirmation


def test_language_names() -> None:
    assert normalise_language("PowerShell") == "powershell"
    assert normalise_language("sh") == "bash"
    with pytest.raises(Invalid):
        normalise_language("python")
