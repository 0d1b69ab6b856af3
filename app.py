"""Entry point: ``app`` for gunicorn and ``flask --app app``; ``python app.py`` runs the development server.

``python app.py`` upgrades the database, seeds demo data on an empty one (development), starts the scheduler
in-process and serves on HOST:PORT (default 127.0.0.1:5000).
"""

import os

from jlt_family import create_app

app = create_app()


def main():
    from flask_migrate import upgrade

    from jlt_family.core.extensions import db

    with app.app_context():
        upgrade()
        if app.config["SEED_DEMO_ON_EMPTY"]:
            from jlt_family.devtools.demo import database_is_empty, seed_demo

            if database_is_empty():
                summary = seed_demo()
                db.session.commit()
                app.logger.info("demo data seeded: %s", summary)
    if app.config["SCHEDULER_IN_PROCESS"]:
        from jlt_family.core.scheduler import build_scheduler

        build_scheduler(app, blocking=False).start()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    app.run(host=host, port=port, use_reloader=False, threaded=True)


if __name__ == "__main__":
    main()
