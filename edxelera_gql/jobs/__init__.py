"""Background jobs: what runs on a schedule or on demand, outside any request.

``tasks`` holds the jobs, ``context`` what they need, ``queue`` how one job enqueues another
(SAQ on Redis, or inline), ``worker`` the SAQ worker (``python -m edxelera_gql worker``) and
``in_process`` the development scheduler that runs the same jobs inside ``serve``.
"""
