"""Understanding a question: normalise it, split the speaker's context from the ask, find places,
kind, value asked, the unit of a duty question, resolve follow-ups, build the search text.
Domain knowledge lives in data/ (lexicon, English glossary, names of government bodies)."""
