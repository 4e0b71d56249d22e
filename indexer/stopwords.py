"""Stop lists for languages Tantivy has none for (Bulgarian, Romanian).

Short, high-frequency function words only: articles, pronouns, prepositions,
conjunctions and auxiliaries. Content words never belong here.
"""

from __future__ import annotations

BULGARIAN: tuple[str, ...] = tuple(
    """
    а аз ако ала би бил била били било бъде във вас ваш ваша ваше вие все всеки
    всички всичко въпреки където го да дали до докато добре днес е един една едно
    ето за зад защо защото и из или им има като каква какво какъв какъвто как
    към ли ме между мен ми много мога може му на над наш не него нея ни ние
    никой нито но някой някои няма обаче около от отново по под понеже пред при
    с са своя се си сме със също сте съм същото та така така също те тези ти
    то това този той тук тя тях у че чрез ще щом я
    """.split()
)

ROMANIAN: tuple[str, ...] = tuple(
    """
    a acea aceasta această aceea acei aceia acel acela acele acelea acest acesta
    aceste acestea acești aceștia acolo acum ai aia al ale am ar are as aș asta
    astfel au avea avem aveți aveţi azi ca care cât ce cea cei cel cele cine
    ci cu cum către da dacă dar de deci deja desi deși din dintre doar după
    ea ei el ele eu este eşti ești fi fie fiecare fost au iar îi îl îmi în
    încât între își la le li lor lui mai mi mult multe nici noi nu o pe pentru
    poate prin sa să se si şi și sunt sau spre sub tot toate toți un una unde
    unei unor unui va vă vor
    """.split()
)
