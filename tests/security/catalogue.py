"""A catalogue of planted secrets and personal data, each in a sentence an engineer might type.

The values are made up (keys are random characters of the right shape, cards are test numbers
that pass the Luhn check, phone numbers are from ranges set aside for drama). Each entry is a
kind, the sentence, and the needles: substrings that must never reach a model or a proposal.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

_rng = random.Random(20261204)


def _chars(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
LOWER_HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


@dataclass(frozen=True)
class Planted:
    kind: str
    sentence: str
    needles: tuple[str, ...]


def _p(kind: str, template: str, value: str, *extra: str) -> Planted:
    return Planted(kind, template.format(v=value), (value, *extra))


_PEM_BODY = _chars(B64, 64)
_SSH_BODY = _chars(B64, 70)
_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJ" + _chars(ALNUM, 40) + "." + _chars(ALNUM, 43)

CATALOGUE: tuple[Planted, ...] = (
    # passwords in context and password-shaped words
    _p("password", "The user's password is {v} and it expired today.", "Hunter2!Secret"),
    _p("password", "Reset the password to {v} and told the user to change it.", "Welcome2026!"),
    _p("password", "pw: {v}", "sunshine-Blue7"),
    _p("password", "Temp password = {v} set on the account.", "Tmp#48213xq"),
    _p("password", "Set local admin pwd {v} on the laptop.", "Adm1n$ecure"),
    _p("password", "Typed {v} at the prompt and it worked.", "P@ssw0rd123"),
    _p("password", "Wi-Fi key for the guest network: {v}", "GuestNet2026?"),
    _p("password", "The password was changed to {v} by the customer.", "Zebra!Crossing9"),
    _p("password", "passcode is {v}", "Orchid42#Moon"),
    _p("password", 'Credentials: admin / "{v}"', "r00t-Access!"),
    _p("password", "net user backupsvc {v} /add", "Backup#Svc2026"),
    _p("password", "Logged in with sshpass -p {v} ssh admin@nas01", "NasPass!77"),
    # provider keys and tokens
    _p("api_key", "The integration used key {v} for OpenAI.", "sk-live-" + _chars(ALNUM, 32)),
    _p("api_key", "Found {v} in the env file.", "sk-proj-" + _chars(ALNUM + "_-", 48)),
    _p("api_key", "Anthropic key {v} was pasted in chat.", "sk-ant-api03-" + _chars(ALNUM, 40)),
    _p("api_key", "Stripe secret {v} leaked in a log.", "sk_live_" + _chars(ALNUM, 24)),
    _p("api_key", "GitHub token {v} in the runner config.", "ghp_" + _chars(ALNUM, 36)),
    _p("api_key", "Fine-grained token {v}.", "github_pat_" + _chars(ALNUM + "_", 60)),
    _p("api_key", "GitLab runner uses {v}.", "glpat-" + _chars(ALNUM + "_-", 20)),
    _p(
        "api_key",
        "Slack bot token {v} posted the alert.",
        "xoxb-" + _chars("0123456789", 12) + "-" + _chars(ALNUM, 24),
    ),
    _p("api_key", "Google Maps key {v} in the portal.", "AIza" + _chars(ALNUM + "_-", 35)),
    _p("api_key", "OAuth client secret {v}.", "GOCSPX-" + _chars(ALNUM + "_-", 28)),
    _p("api_key", "Hugging Face token {v} on the build box.", "hf_" + _chars(ALNUM, 34)),
    _p(
        "api_key",
        "App registration secret {v} expires soon.",
        _chars(ALNUM, 3) + "8Q~" + _chars(ALNUM + "_.-", 34),
    ),
    _p(
        "api_key",
        "SendGrid key {v} for the mailer.",
        "SG." + _chars(ALNUM + "_-", 22) + "." + _chars(ALNUM + "_-", 43),
    ),
    _p("api_key", "Twilio auth {v} in the SMS gateway.", "SK" + _chars(LOWER_HEX, 32)),
    _p("api_key", "npm publish token {v}.", "npm_" + _chars(ALNUM, 36)),
    _p("api_key", "Atlassian token {v} for the Jira sync.", "ATATT3" + _chars(ALNUM + "_-", 60)),
    _p("api_key", "Shopify admin token {v}.", "shpat_" + _chars(LOWER_HEX, 32)),
    _p(
        "api_key",
        "Telegram bot {v} sends the alerts.",
        _chars("0123456789", 10) + ":" + _chars(ALNUM + "_-", 35),
    ),
    _p("api_key", "Authorization: Bearer {v}", _chars(ALNUM, 40)),
    _p(
        "webhook",
        "Alerts go to {v} in the channel.",
        "https://hooks.slack.com/services/T"
        + _chars(UPPER_DIGITS, 8)
        + "/B"
        + _chars(UPPER_DIGITS, 8)
        + "/"
        + _chars(ALNUM, 24),
    ),
    # cloud keys
    _p("cloud_key", "AWS access key {v} on the backup job.", "AKIA" + _chars(UPPER_DIGITS, 16)),
    _p("cloud_key", "aws_secret_access_key = {v}", _chars(ALNUM + "/+", 40)),
    _p(
        "cloud_key",
        "Storage: DefaultEndpointsProtocol=https;AccountName=backups;AccountKey={v};"
        "EndpointSuffix=core.windows.net",
        _chars(B64, 86) + "==",
    ),
    _p(
        "cloud_key",
        "SAS link https://backups.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig={v}",
        _chars(ALNUM, 43) + "%3D",
    ),
    # private keys
    _p(
        "private_key",
        "-----BEGIN RSA PRIVATE KEY-----\n{v}\n"
        + _chars(B64, 64)
        + "\n-----END RSA PRIVATE KEY-----",
        _PEM_BODY,
    ),
    _p(
        "private_key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{v}\n-----END OPENSSH PRIVATE KEY-----",
        _SSH_BODY,
    ),
    # connection strings
    _p("connection", "Server=tcp:sql01.corp;Database=crm;User Id=sa;Password={v};", "Sq1Serv3r!pw"),
    _p("connection", "mongodb+srv://appuser:{v}@cluster0.mongodb.net/prod", "M0ngoPass99"),
    _p("connection", "postgres://report:{v}@db01:5432/reports", "repOrt_pw_42"),
    _p(
        "connection",
        "Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={v}",
        _chars(B64, 43) + "=",
    ),
    # tokens
    _p("jwt", "The API returned token {v} in the header.", _JWT),
    # payment cards (test numbers; Luhn-valid)
    _p(
        "card", "Customer read out card {v} on the call.", "4111 1111 1111 1111", "4111111111111111"
    ),
    _p(
        "card",
        "Card on file 5555-5555-5555-4444 for the renewal.".replace("5555-5555-5555-4444", "{v}"),
        "5555-5555-5555-4444",
        "5555555555554444",
    ),
    _p("card", "Amex {v} declined.", "378282246310005"),
    _p(
        "card",
        "Paid with 6011 1111 1111 1117 last month.".replace("6011 1111 1111 1117", "{v}"),
        "6011 1111 1111 1117",
        "6011111111111117",
    ),
    # personal data
    _p("email", "User {v} could not sign in to Outlook.", "jane.doe@contoso.com"),
    _p("email", "Forwarded to {v} for approval.", "payroll.manager@fabrikam.co.uk"),
    _p("email", "UPN is {v} in Entra.", "r.oyelaran@northwind-msp.example"),
    _p("phone", "Call Jane back on {v} after lunch.", "+44 20 7946 0958"),
    _p("phone", "Her mobile: {v}", "(415) 867-5309"),
    _p(
        "phone",
        "Site contact phone +1 212 555 0182 at reception.".replace("+1 212 555 0182", "{v}"),
        "+1 212 555 0182",
    ),
    _p("phone", "The Sydney office is on {v}.", "+61 2 9374 4000"),
)

KINDS = sorted({p.kind for p in CATALOGUE})
