"""Optical mark reading of the meeting's paper ballots, as a pure typed core (numpy and OpenCV, no Django).

:mod:`.layout` says where everything is printed (the template and the reader both use it); :mod:`.locate` finds the
page by its corner markers and reads its QR code; :mod:`.read` scores the boxes and decides each row or flags it for
a person; :mod:`.sources` turns PDFs, TIFFs and photos into images; :mod:`.synth` builds the synthetic test deck.
"""
