"""The steering pack: what a steering committee sees (`content`), laid out once (`timeline`) and
written as PowerPoint slides (`slides`) and a PDF (`pdf`); the forecast's trend over saved
revisions (`trend`)."""
