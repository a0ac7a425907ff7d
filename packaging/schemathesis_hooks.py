"""Hooks for packaging/schemathesis.sh: values whose format no JSON Schema pattern can state,
made real before a generated monitor is sent, so that "schema-valid" still means "accepted".

- caCertificate must be a PEM certificate that parses (random text fitting the length and
  character rules is refused with a 422, as a user would want): a real one replaces it.
- expectedValues of an A or AAAA monitor must be addresses of that family, and a DNS monitor
  expecting another response code than NOERROR takes no values (an answer with an error code
  has none): generated values are replaced accordingly.

Everything else about the body (fields, kinds, lengths, patterns) is left as generated.
"""
import schemathesis

# A self-signed certificate made with openssl for these hooks only (no key is kept).
CA_PEM = """-----BEGIN CERTIFICATE-----
MIIBjTCCATOgAwIBAgIUNWwD+WQhZ7L+MMnCTronVAr0yM0wCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQZHV0eWR1Y2sgZnV6eiBDQTAgFw0yNjEyMDYxNTAzMjNaGA8y
MTI2MTExMjE1MDMyM1owGzEZMBcGA1UEAwwQZHV0eWR1Y2sgZnV6eiBDQTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABK4vjnEiHj6bgxq/TTWyzi3dEmCPwkDWKeDt
ZVfw/f7K5h9gq7vMXwlb1MGA7cS4Rs11kZQKV3cPkzJusz4p9xqjUzBRMB0GA1Ud
DgQWBBSR1POauYDgPgDNLIEAZv6CqwC/wTAfBgNVHSMEGDAWgBSR1POauYDgPgDN
LIEAZv6CqwC/wTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIHw6
G63As+BKEP4wc0TynYIENSb5EdFlKP6raNf7vnc/AiEA3lJo+Q15Rf6jfKuGstef
OwXjZQwwMMiRJIgo06N/0n4=
-----END CERTIFICATE-----
"""


@schemathesis.hook
def map_body(ctx, body):
    operation = ctx.operation
    if operation is None or not operation.path.startswith("/monitors") or not isinstance(body, dict):
        return body
    if body.get("caCertificate"):
        body["caCertificate"] = CA_PEM
    if body.get("expectedValues"):
        record_type = (body.get("recordType") or "A").upper()
        if (body.get("expectedRcode") or "NOERROR").upper() != "NOERROR":
            body["expectedValues"] = []
        elif record_type == "A":
            body["expectedValues"] = ["192.0.2.1"]
        elif record_type == "AAAA":
            body["expectedValues"] = ["2001:db8::1"]
    return body
