"""The photo and publication services' messages, marked for translation.

The engine imports no Flask, so its messages are English message ids; they are listed here so that
``make extract-messages`` puts them in the catalogues, and the views show them with ``_(message)``. A
test keeps this list in step with ``engine.security.photos.MESSAGES`` and ``publication.MESSAGES``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ENGINE_MESSAGES = (
    # engine.security.photos
    _l("The photo was not saved."),
    _l("Choose a photo to upload."),
    _l("The file is larger than the upload limit."),
    _l("The file is not a JPEG or PNG photo, or it is damaged."),
    _l("The picture has too many pixels. Use a smaller photo."),
    _l("Photos of children are never allowed: the survivor is under 18, or the date of birth is not recorded."),
    _l(
        "There is no valid photo consent: the survivor must sign (or thumbprint) a release naming the use, "
        "and it must not be withdrawn or expired."
    ),
    _l("There is no photo to show for this case."),
    _l("Only the case's caseworker and supervisor work with its photo."),
    _l("There is no such case, or it is not yours to see."),
    # engine.security.publication
    _l("The publication request was not saved."),
    _l("Nothing was decided."),
    _l("Only the case's caseworker and supervisor work with publication requests."),
    _l("Only a supervisor of the case's team decides on a publication."),
    _l("There is no such publication request."),
    _l(
        "There is no valid publication consent: it must be signed (or thumbprinted), name the use and the parts "
        "of the case file, and not be withdrawn or expired."
    ),
    _l("The publication consent is no longer valid (withdrawn or expired): nothing can be published."),
    _l("The consent does not cover every part you chose."),
    _l("Choose which parts of the case file to publish."),
    _l("Say what will be published, where, and how it benefits the survivor."),
    _l("The purpose is too long (at most 2000 characters)."),
    _l("Give the reason for the decision: it is kept with the request."),
    _l("The reason is too long (at most 2000 characters)."),
    _l("Photos of children are never published."),
    _l(
        "The survivor is under 18 (or the date of birth is not recorded): nothing that could identify them is ever "
        "published (identity, photo, addresses, family, narrative, legal details)."
    ),
    _l("You made this request: another supervisor of the team decides on it."),
    _l("This publication request has already been decided."),
    _l("Only an approved publication request can be exported."),
)
