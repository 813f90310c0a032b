"""Networking: VPN, wifi, the site's internet line, DNS, phones, web filtering and remote desktop."""

PROBLEMS = [
    dict(
        label="vpn_connect",
        domain="networking",
        alt=("security",),
        weight=40,
        titles="""
            VPN not connecting
            Can't connect to VPN from home
            vpn down
            FortiClient won't connect
            VPN error 809
            VPN keeps disconnecting
            Remote access not working
            GlobalProtect stuck connecting
            Can't get on the work network from home
            VPN certificate error
            vpn
            Unable to connect to VPN - credential error
        """,
        bodies="""
            I'm working from home today and the VPN just says connecting and then fails.
            FortiClient says the VPN server may be unreachable (-14) when I try to connect.
            The VPN connects for a minute and then drops, and my drives disappear.
            Getting a certificate error when I try to connect to the VPN since this morning.
            Can't connect to the office from home, the VPN asks for my password and then says credential or permission error.
        """,
        resolutions="""
            The firewall's SSL VPN certificate had expired overnight. Renewed it with Let's Encrypt on the FortiGate, users connecting again.
            User's home router blocked IPsec passthrough. Switched their profile to SSL VPN, connected.
            User was not in the VPN users group after the AD clean up. Added back, connects.
            FortiClient version too old for the firewall firmware. Updated the client, connection stable.
            Home network used the same 192.168.1.0/24 range as the office. Moved the office VPN range, routes work.
        """,
        checks="""
            What error does the VPN client show? | -14 server unreachable | credential or permission error | certificate error | error 809
            Can the user reach the internet? | yes browsing fine | yes but slow
            Does it work for other users? | nobody can connect | others are fine
            What subnet is the home network on? | 192.168.1.0/24 same as office | 192.168.0.0/24
        """,
        actions="""
            Renewed the SSL VPN certificate on the firewall | VPN connects for all users |
            Added the user to the VPN group | user connects |
            Updated the VPN client | connection stays up | still drops after a minute
            Switched the user to the SSL VPN profile | connected from home |
        """,
        notes="""
            FortiGate 60F at the office, firmware 7.2.
            User is on a 4G hotspot.
        """,
    ),
    dict(
        label="wifi_drops",
        domain="networking",
        alt=("hardware",),
        weight=30,
        titles="""
            Wifi keeps dropping
            wifi down
            Wireless disconnecting in the office
            Wi-Fi weak upstairs
            Laptop won't connect to office wifi
            wifi not working
            Poor wifi in meeting room
            Can't connect to staff wifi
            Wifi connected but no internet
            Wireless slow at {site}
        """,
        bodies="""
            The wifi upstairs keeps cutting out every half hour or so, we have to reconnect each time.
            My laptop can see the office wifi but won't connect, it says can't connect to this network.
            Wifi in the meeting room is so slow that Teams calls drop.
            Connected to wifi but says no internet, my phone on the same wifi works.
            Nobody can get on the wifi at {site} since this morning.
        """,
        resolutions="""
            Access point upstairs was on an old firmware with a known roaming bug. Upgraded the UniFi APs and set minimum RSSI, no drops reported.
            Two APs on the same 2.4GHz channel interfering. Moved to channels 1 and 11 and enabled band steering.
            Laptop's saved wifi profile had the old pre-shared key. Forgot the network and rejoined with the new key.
            PoE switch port feeding the AP was flapping. Moved the AP to another port and replaced the patch lead.
            Wifi driver on the laptop was years old. Updated the Intel wireless driver, connection stable.
        """,
        checks="""
            Is it one device or everyone? | everyone upstairs | just this laptop | all phones and laptops
            Which access point is the device on? | AP-Upstairs | meeting room AP | can't tell
            What does the controller show? | AP restarting every 30 minutes | high channel utilisation | AP offline
        """,
        actions="""
            Updated access point firmware | APs back up, clients stable |
            Changed the wifi channels | interference dropped |
            Forgot and rejoined the network | laptop connected |
            Replaced the patch lead to the access point | AP stayed up |
        """,
        notes="""
            UniFi controller hosted in the cloud.
        """,
    ),
    dict(
        label="internet_down_site",
        domain="networking",
        alt=("other",),
        weight=24,
        titles="""
            internet down
            No internet in the office
            Internet not working whole office
            {customer} - internet outage
            Broadband down
            Site offline
            Everything down, no internet
            Lost internet connection at {site}
            Internet keeps going down
        """,
        bodies="""
            The internet is down for the whole office, nothing loads and the phones aren't working either.
            We have no internet since about 9am, the router lights are orange.
            Internet keeps dropping every few minutes today, it's affecting the card machine too.
            Our monitoring shows the site firewall went offline at 07:42.
        """,
        resolutions="""
            ISP fault on the leased line, logged with the carrier and failed over to the 4G backup. Line restored at 14:10.
            Router had locked up. Talked the office manager through power cycling it, internet back.
            DHCP scope on the firewall was exhausted by guest devices. Shortened the guest lease time and widened the pool.
            FTTP ONT power supply had failed. Openreach replaced it, site back online.
        """,
        checks="""
            What do the router lights show? | internet light orange | all lights off | normal
            Is the firewall reachable from our monitoring? | offline since 07:42 | online
            Is there an ISP outage? | carrier confirmed a fault | no known outage
        """,
        actions="""
            Power cycled the router with the customer | internet came back | still no sync
            Logged a fault with the ISP | engineer booked |
            Failed over to the 4G backup | site online on backup |
        """,
        notes="""
            Customer rang the office line from a mobile.
        """,
    ),
    dict(
        label="dns_internal",
        domain="networking",
        alt=("active_directory",),
        weight=14,
        titles="""
            Can't reach intranet
            Internal website not loading
            Server name not resolving
            Can't connect to server by name
            Websites slow to start loading
            DNS issue
        """,
        bodies="""
            The intranet page won't load, it says the site can't be reached, but google works.
            I can get to the server by its IP address but not by its name.
            Every website takes about ten seconds before it starts loading.
        """,
        resolutions="""
            DHCP handing out the ISP's DNS servers after the router swap. Set the DC as DNS on the scope, clients renewed, names resolve.
            A dead forwarder was first in the list on the DC. Removed it, lookups fast again.
            Stale A record for the intranet server pointing at the old IP. Fixed the record and flushed caches.
        """,
        checks="""
            What DNS servers does the client have? | the ISP's | the DC | 8.8.8.8 set manually
            Does nslookup resolve the name? | times out | returns the old IP | works
        """,
        actions="""
            Fixed the DNS servers on the DHCP scope | clients resolving internal names |
            Removed the dead DNS forwarder | lookups fast |
            Flushed the DNS cache | name resolves |
        """,
        notes="""
            Router was replaced by the ISP last week.
        """,
    ),
    dict(
        label="voip_phone",
        domain="networking",
        alt=("other", "hardware"),
        weight=18,
        titles="""
            Desk phone not working
            Phone has no dial tone
            Yealink phone not registered
            Can't make outbound calls
            phones down
            Calls dropping after 30 seconds
            One way audio on calls
            Phone says no service
        """,
        bodies="""
            My desk phone has no dial tone and the screen says registration failed.
            We can receive calls but anyone we ring can't hear us.
            All the phones at {site} are showing no service since the power went off.
            Calls keep cutting off after about half a minute.
        """,
        resolutions="""
            SIP ALG on the new router was breaking registration. Disabled SIP ALG, phones registered.
            Phones were on the data VLAN after the switch replacement. Set the voice VLAN on the ports, phones registered.
            Phone's PoE port had no power after the outage. Reset the switch, phones booted.
            One way audio due to the firewall NAT timeout. Raised the UDP timeout and added a rule for the RTP range.
        """,
        checks="""
            What does the phone screen show? | registration failed | no service | normal, calls drop
            Is it one phone or all of them? | all phones | just one desk
        """,
        actions="""
            Disabled SIP ALG on the router | phones registered |
            Set the voice VLAN on the switch ports | phones got the right address |
            Rebooted the PoE switch | phones powered up |
        """,
        notes="""
            Hosted VoIP from the customer's telecom provider.
        """,
    ),
    dict(
        label="web_filter_block",
        domain="security",
        alt=("networking",),
        weight=14,
        titles="""
            Website blocked
            Can't access supplier website
            Site blocked by firewall
            Web filter blocking work site
            Need a website unblocked
            Page says access denied by policy
        """,
        bodies="""
            I get a blocked page from the firewall when I go to our supplier's ordering portal.
            The council's planning website is blocked, can you let it through please.
            Trying to download a file from a client's site and it says blocked by web filter category.
        """,
        resolutions="""
            Site categorised as newly registered domain by the web filter. Added an exception for the supplier's domain.
            Requested recategorisation with the vendor and added a temporary local override.
            File download blocked by the file type policy. Allowed the extension for that site only after scanning the file.
        """,
        checks="""
            What does the block page say? | category newly registered domain | file type blocked | malicious site
            Is the site safe? | checked on VirusTotal, clean | flagged by one vendor
        """,
        actions="""
            Added a web filter exception | site loads |
            Requested recategorisation | vendor ticket raised |
        """,
        notes="""
            Customer's policy needs manager approval for exceptions.
        """,
    ),
    dict(
        label="remote_desktop",
        domain="virtualization",
        alt=("networking",),
        weight=18,
        titles="""
            Can't connect to remote desktop
            RDP not working
            Remote desktop server not responding
            Terminal server slow
            Can't log in to the RDS server
            Remote session disconnected - licences
            RDP error: the remote computer could not be found
        """,
        bodies="""
            When I open the remote desktop icon it says the remote computer can't be found.
            Remote session keeps disconnecting saying there are no Remote Desktop licence servers available.
            The terminal server is really slow this morning, everyone's sessions are freezing.
            I can't log in to the remote server from home, it says my credentials didn't work.
        """,
        resolutions="""
            RDS grace period had expired as the licence server was never activated. Activated it and installed the CALs.
            One user's session was using all the CPU with a stuck Excel. Killed the process and logged the session off, server responsive.
            Gateway certificate expired. Renewed and bound the new certificate on the RD Gateway.
            User not in the Remote Desktop Users group after the restructure. Added back, can log in.
        """,
        checks="""
            What error does the RDP client show? | remote computer could not be found | no licence servers | credentials did not work
            What is the server's CPU and memory? | CPU at 100% | fine
        """,
        actions="""
            Activated the RDS licence server | sessions connect without the licence error |
            Logged off the hung session | server responsive |
            Renewed the RD Gateway certificate | users connect from outside |
        """,
        notes="""
            Single RDS server running the accounts package.
        """,
    ),
]
