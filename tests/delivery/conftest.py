from tests.support.s3 import s3_endpoint, s3_env  # noqa: F401 - fixtures
