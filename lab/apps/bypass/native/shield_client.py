"""The lab's native SDK client (stands for an SDK's own C code using OpenSSL): started by the app
as a child process, it posts an identifier over TLS and pins its server's certificate itself, so
no CA installed on the phone makes it trust the proxy.

    python shield_client.py ADDRESS HOST PINNED_CERT_PEM BODY

ADDRESS is the lab address the app resolved HOST to (the child never looks a name up); it is
always a loopback address."""

import hashlib
import ipaddress
import socket
import ssl
import sys

address, host, pinned_pem, body = sys.argv[1:5]
if not ipaddress.ip_address(address).is_loopback:
    sys.exit(f"shield: refusing a non-loopback address {address}")
pinned = hashlib.sha256(ssl.PEM_cert_to_DER_cert(open(pinned_pem, encoding="ascii").read())).hexdigest()
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # the pin below is the check, as in SDKs that pin in C
with socket.create_connection((address, 443), timeout=10) as raw:
    with context.wrap_socket(raw, server_hostname=host) as tls:
        seen = hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()
        if seen != pinned:
            sys.exit(f"shield: certificate pin mismatch ({seen[:16]}…), nothing sent")
        payload = body.encode()
        tls.sendall(
            f"POST /v1/report HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
            + payload
        )
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
print("shield: " + answer.split(b"\r\n", 1)[0].decode(), flush=True)
