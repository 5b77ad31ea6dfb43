"""gunicorn's settings, read from the working folder by `make serve` and by the tests' servers.

The access log goes to standard output and names no one and nothing searched: the method, the
path without its query string (%(U)s), the status, the size and the time. Search terms are health
data, and an address beside a page about alcohol or grief says something about a person.
"""

accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'
