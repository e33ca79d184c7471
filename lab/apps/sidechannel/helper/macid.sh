#!/bin/sh
# The HelperId SDK's helper program: reads the Wi-Fi MAC itself (its own open(), in its own process)
# and prints an ID made from it.
read mac < /sys/class/net/wlan0/address
echo "hid-$mac"
