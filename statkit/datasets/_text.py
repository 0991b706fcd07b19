"""Text corpora read from the data home: one document per line, one file per class."""

from pathlib import PurePosixPath

import numpy as np
from sklearn.utils import Bunch

from statkit.datasets._base import DATA_SETS, _verified_path

_RT_POLARITY_DESCR = """\
.. _rt_polarity_dataset:

Sentence polarity data v1.0 (Pang & Lee 2005)
---------------------------------------------

10,662 sentences from movie reviews on rottentomatoes.com, 5,331 negative
(``target`` 0, ``neg``) and 5,331 positive (``target`` 1, ``pos``),
lower-cased and tokenised (tokens separated by spaces). ``data`` holds the
negative sentences first, then the positive ones, each in file order.

The files are decoded as UTF-8, strictly: the recorded copy is UTF-8 (the
original archive is not, so its files have other checksums and are rejected).
One sentence per line; every line is kept.

Source: https://www.cs.cornell.edu/people/pabo/movie-review-data/
(rt-polaritydata, files ``rt-polarity.neg`` and ``rt-polarity.pos``).

Reference: B. Pang and L. Lee, "Seeing stars: exploiting class relationships
for sentiment categorization with respect to rating scales", Proceedings of
ACL 2005.
"""

_TOPICS_DESCR = """\
.. _topics_dataset:

Topic classification of short social-media posts (pyss3 test data)
------------------------------------------------------------------

796 short, lower-cased social-media posts in 8 topic classes: art&photography,
beauty&fashion, business&finance, food, health, music, science&technology and
sports (98 to 100 posts each). One file per class, one post per line; the
class name is the file name, with ``_and_`` standing for ``&``. Lines that
hold only whitespace are not posts and are dropped: two lines of ``music``
hold a single space, so 798 lines give the 796 documents that pyss3 sees.
Other lines are kept as they are, trailing spaces included.

Source: the test data of the pyss3 project (the reference implementation of
the SS3 text classifier), https://github.com/sergioburdisso/pyss3
(``tests/dataset/*.txt``, whose file names use ``&``).
"""


def _read_lines(path):
    """The lines of a UTF-8 text file, without their line terminators.

    Only ``"\\n"`` ends a line (``str.splitlines`` would also split on other
    Unicode separators); a last line without a terminator is kept.
    """
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _load_classes(files, target_names, data_home, *, drop_blank=False):
    """Bunch of the lines of ``files``, labelled by the file they come from.

    ``drop_blank`` drops the lines that hold only whitespace.
    """
    data, target = [], []
    for label, relpath in enumerate(files):
        lines = _read_lines(_verified_path(relpath, data_home))
        if drop_blank:
            lines = [line for line in lines if line.strip()]
        data.extend(lines)
        target.extend([label] * len(lines))
    return Bunch(data=data, target=np.asarray(target, dtype=np.int64), target_names=target_names)


def load_rt_polarity(*, data_home=None):
    """Load Pang & Lee's sentence polarity data (5,331 negative, 5,331 positive).

    Reads ``text/rt-polarity/rt-polarity.neg`` and ``.pos`` from the data home,
    verified against the SHA-256 recorded in statkit, as UTF-8 text with one
    sentence per line.

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`.

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with attributes:

        data : list of str of length 10662
            The sentences, negative ones first.
        target : ndarray of shape (10662,), int
            0 for negative, 1 for positive.
        target_names : list of str
            ``["neg", "pos"]``.
        DESCR : str
            Description of the data set.

    Raises
    ------
    DataNotFoundError
        If a file is missing; the message says where to put it.
    ChecksumMismatchError
        If a file's SHA-256 differs from the recorded one.

    Examples
    --------
    >>> from statkit.datasets import load_rt_polarity
    >>> rt = load_rt_polarity()  # doctest: +SKIP
    >>> len(rt.data), rt.target_names  # doctest: +SKIP
    (10662, ['neg', 'pos'])
    """
    bunch = _load_classes(DATA_SETS["rt_polarity"].files, ["neg", "pos"], data_home)
    bunch.DESCR = _RT_POLARITY_DESCR
    return bunch


def load_topics(*, data_home=None):
    """Load the 8-class topic corpus of short social-media posts (pyss3's test data).

    Reads the 8 files of ``text/topics/`` from the data home, verified against
    the SHA-256 recorded in statkit, one post per line.

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`.

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with attributes:

        data : list of str of length 796
            The posts, class by class in the order of ``target_names``
            (whitespace-only lines dropped).
        target : ndarray of shape (796,), int
            Index of each post's class in ``target_names``.
        target_names : list of str
            The 8 class names in alphabetical order, with ``&`` as in the
            original names (``"art&photography"``, ..., ``"sports"``).
        DESCR : str
            Description of the data set.

    Raises
    ------
    DataNotFoundError
        If a file is missing; the message says where to put it.
    ChecksumMismatchError
        If a file's SHA-256 differs from the recorded one.

    Examples
    --------
    >>> from statkit.datasets import load_topics
    >>> topics = load_topics()  # doctest: +SKIP
    >>> topics.target_names[:2]  # doctest: +SKIP
    ['art&photography', 'beauty&fashion']
    """
    files = DATA_SETS["topics"].files
    names = [PurePosixPath(f).stem.replace("_and_", "&") for f in files]
    bunch = _load_classes(files, names, data_home, drop_blank=True)
    bunch.DESCR = _TOPICS_DESCR
    return bunch
