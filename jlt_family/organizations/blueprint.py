"""The blueprint of the organisation API (组织机构); ``routes`` and the route modules beside it add their views."""

from werkzeug.datastructures import CombinedMultiDict

from jlt_family.core.routing import Blueprint, JsonParser


class _Parser(JsonParser):
    """The project's parser (lone surrogates refused) with a ``multipart`` location: form fields and files of one
    multipart body together."""

    __location_map__ = {"multipart": "load_multipart", **JsonParser.__location_map__}

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


blp = Blueprint("organizations", __name__, url_prefix="/api/v1", description="组织机构 (regions, alliances, schools)")
blp.ARGUMENTS_PARSER = _Parser()
blp.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
    **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
    "multipart": "multipart/form-data",
}
