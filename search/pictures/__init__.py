"""Page pictures with the matched words marked: ``page_image`` (the cache and the marks),
``words`` (word boxes of a page), and a render ``pool`` of ``render_worker`` processes (the
only place pypdfium2 renders on the search side).
"""
