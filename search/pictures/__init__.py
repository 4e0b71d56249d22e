"""Page pictures: a page rendered with the words a query matched marked on it.

:mod:`~search.pictures.page_image` is the front (:class:`~search.pictures.page_image.PagePictures`
and its cache); :mod:`~search.pictures.words` decides which word boxes to mark;
:mod:`~search.pictures.render_pool` supervises the render processes
(:mod:`~search.pictures.render_worker`, the only place PDFium runs), which take and give the
typed messages of :mod:`~search.pictures.render_messages`.
"""
