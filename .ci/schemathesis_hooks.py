"""The string formats of the spec of record that Schemathesis does not know.

The spec names pydantic's types as formats (`ip` and `ipvanyaddress` for an
IPv4 or IPv6 address, `ipvanynetwork` for a network without host bits); the
service, and the mock, refuse any other string with 422. Without these,
Schemathesis takes any string for a valid address.
"""

import ipaddress

from hypothesis import strategies as st

import schemathesis

addresses = st.ip_addresses().map(str)


def _network(version: int, bits: int) -> st.SearchStrategy[str]:
    return st.tuples(st.ip_addresses(v=version), st.integers(0, bits)).map(
        lambda pair: str(ipaddress.ip_network(pair, strict=False))
    )


schemathesis.openapi.format("ip", addresses)
schemathesis.openapi.format("ipvanyaddress", addresses)
schemathesis.openapi.format("ipvanynetwork", st.one_of(_network(4, 32), _network(6, 128)))
