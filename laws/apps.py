from django.apps import AppConfig


class LawsConfig(AppConfig):
    name = "laws"
    verbose_name = "Law corpus"

    def ready(self) -> None:
        # Retrieval's matrix products are small (a question's vector against 1,416 cards) and a
        # worker runs many requests at once: BLAS's own threads only wait for a core there, and
        # measured 5 ms of CPU for a 0.1 ms product on the loaded 2-core machine.
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
