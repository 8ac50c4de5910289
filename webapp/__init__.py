"""kyodo web application: create_app(test_config=None) builds a configured Flask app."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask


def instance_path() -> str:
    """KYODO_INSTANCE_PATH, else Flask's default: ``instance/`` beside the package in a checkout,
    ``<venv>/var/webapp-instance`` for an installed package."""
    configured = os.environ.get("KYODO_INSTANCE_PATH")
    if configured:
        return os.path.abspath(configured)
    return Flask(__name__).instance_path


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from . import config as config_module
    from . import db, errors, logs, ratelimit, security_headers, templating
    from .cities import resolve_city
    from .extensions import csrf, limiter, login_manager
    from .inputs import IdConverter

    app = Flask(__name__, instance_path=instance_path(), instance_relative_config=True)
    # Every <int:...> in a route is a database id: ASCII digits within INTEGER range, else 404.
    app.url_map.converters["int"] = IdConverter
    app.config.from_mapping(config_module.from_environment(os.environ, app.instance_path))
    if test_config:
        app.config.update(test_config)
    config_module.validate(app.config)
    try:
        city = resolve_city(app.config["KYODO_CITY"])
    except ValueError as error:
        raise config_module.ConfigError(str(error)) from None
    app.config["KYODO_CITY_CODE"] = city.code
    app.config["KYODO_CITY_NAME"] = city.name
    app.config["KYODO_CITY_DIRECTORY"] = str(city.directory)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["KYODO_ENV"] == "testing" and "KYODO_INDEX_DIR" not in (test_config or {}):
        app.config["KYODO_INDEX_DIR"] = ""  # tests build their indexes unless they ask for snapshots
    from .services import index_snapshots

    index_snapshots.configure(app.config["DATABASE_URL"], app.config["KYODO_INDEX_DIR"])

    if app.config["KYODO_PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    ratelimit.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    security_headers.init_app(app)
    logs.init_app(app)

    from . import account, api, auth, consortia, issues, main, notifications, orgs, registry, reports, search, staff

    for blueprint in (main.bp, auth.bp, orgs.bp, issues.bp, consortia.bp, notifications.bp, search.bp,
                      staff.bp, registry.bp, api.bp, account.bp, reports.bp):
        app.register_blueprint(blueprint)
    return app
