"""The connection registry decides which flows on the proxy are the app's."""

import asyncio

from monitor.capture.connections import Connection, ConnectionRegistry


def _conn(port: int, seq: int = 1) -> Connection:
    return Connection(
        pid=10, seq=seq, local_port=port, capture_path="redirected", host="a.cn", ip="127.20.0.1", port=80
    )


def test_the_latest_connection_on_a_port_is_the_one_that_counts():
    registry = ConnectionRegistry()
    registry.opened(_conn(5000, seq=1))
    registry.opened(_conn(5000, seq=7))
    assert registry.find(5000).seq == 7
    assert registry.find(5001) is None and registry.find(None) is None


def test_a_flow_waits_for_a_connection_reported_late_and_gives_up_on_others():
    registry = ConnectionRegistry()

    async def scenario():
        late = asyncio.get_running_loop().call_later(0.1, registry.opened, _conn(6000))
        found = await registry.wait_for("client-a", 6000, timeout=2.0)
        missing = await registry.wait_for("client-b", 6001, timeout=0.1)
        late.cancel()
        return found, missing

    found, missing = asyncio.run(scenario())
    assert found is not None and found.local_port == 6000
    assert missing is None


def test_native_tls_is_forgotten_when_the_port_is_reused_and_left_out_flows_are_counted():
    registry = ConnectionRegistry()
    registry.opened(_conn(7000))
    registry.native_tls(7000)
    assert registry.is_native_tls("c", 7000)
    registry.opened(_conn(7000, seq=2))
    assert not registry.is_native_tls("c", 7000)
    for host in ["x.cn", "x.cn", "y.cn"]:
        registry.left_out(host)
    assert registry.left_out_summary() == {"flows": 3, "hosts": {"x.cn": 2, "y.cn": 1}}


def test_a_redirected_connection_is_known_by_the_credentials_it_gave_not_the_port_the_proxy_sees():
    registry = ConnectionRegistry()
    assert registry.claim("client-1", "privmon:10:5")  # before its record arrives
    assert not registry.claim("client-2", "someone:else")
    assert registry.of_client("client-1", 40000) is None
    registry.opened(_conn(5555, seq=5))  # the app's own port (on a phone, not what the proxy sees)
    assert registry.of_client("client-1", 40000).local_port == 5555
    assert registry.of_client("client-2", 40000) is None  # a stranger on a port nobody reported

    async def late():
        asyncio.get_running_loop().call_later(0.05, registry.opened, _conn(5556, seq=6))
        registry.claim("client-3", "privmon:10:6")
        return await registry.wait_for("client-3", None, timeout=2.0)

    assert asyncio.run(late()).seq == 6
