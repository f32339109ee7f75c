"""The review studio: ``chromatic studio DIR`` serves a local web page where the artist hears
candidates and records decisions.

Everything here is a thin layer over the production code: review.yml is read and written through
``chromatic.produce.review`` (round trip, validated, atomic), promotion is
``chromatic.produce.promote``, the plan is ``produce.planfile`` / ``arrange.plan``, assembly and
its audio are ``arrange.assemble`` / ``arrange.preview``, candidate previews are
``chromatic.music.render``, and every path built from request text goes through
``chromatic.paths``. The page is plain HTML, CSS and JavaScript in ``studio/static``.
"""
