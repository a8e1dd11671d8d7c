"""Generic layer: what the visible page shows, for pages (or fields) no site file covers.

:mod:`newscrawl.extract.fallback` combines it with the structured layer. Each rule holds for
any news page, never for a particular publisher; one module per field family, public
functions between them:

* :mod:`.dom`: comparison keys (:func:`~.dom.norm_key`), an element's cleaned visible text
  (:func:`~.dom.clean_element_text`), navigation and boilerplate boxes, and where the article
  is on the page (:func:`~.dom.locate_paragraphs`, :func:`~.dom.container_of`,
  :func:`~.dom.article_region`); the language (``<html lang>``);
* :mod:`.title`: the ``<h1>`` texts, headings split into kicker and headline, ``<title>`` /
  og:title without the site name, and :func:`~.title.choose_title`;
* :mod:`.body`: trafilatura's main text as blocks, the paragraphs a reader counts as the
  article (:func:`~.body.paragraphs_from_blocks`), checked against the page layout
  (:func:`~.body.refine_body`);
* :mod:`.lead`: standfirst-classed elements before the body, :func:`~.lead.choose_lead`;
* :mod:`.captions`: the article region's images and their captions;
* :mod:`.bylines`: byline texts, names in them, :func:`~.bylines.choose_authors`;
* :mod:`.dates`: ``<time>`` and date-looking elements, :func:`~.dates.choose_date`
  (parsing is :mod:`newscrawl.extract.dates`'s).

Everything works on the document's one lxml tree (``doc.root``).
"""
