"""Writes, by use case. Import the module you need (`from statements.services import ingest`).

- `ingest`: storing articles (files, uploads) once by content.
- `annotation`: the annotation runner: claim, batch, pipeline (in a process pool when
  asked), pin a failure on one article, save. Every caller annotates through it.
- `annotation_pool`: the pipeline runs themselves; no Django, so pool workers import it.
- `annotation_store`: writing an annotation's statements, keeping staff corrections.
- `annotation_queue`: background annotation: queueing, re-annotation, stale work.
- `speakers`: one Speaker per name across articles, organisations, unique slugs.
- `curation`: staff corrections to statements and speaker merges.
- `reference`: countries and topics.
- `audit`: the admin log of what people did.
- `web_import`: articles imported by URL: fetched, extracted and stored by the worker.
- `feeds`: polling RSS and Atom feeds; their new entries become URL imports.
- `story_versions`: a story re-sent with small edits linked to its first version.
"""
