"""The text toolkit: every module that reads, compares or tidies free text lives here.

- `words`: shared primitives (word lists, quote folding, alphanumeric runs).
- `normalise`: problem summaries as canonical tokens (IT phrasings folded, plurals and
  stop words dropped), the form similarity and clustering compare.
- `vectors`: sparse TF-IDF rows over normalised text.
- `clean`: names, greetings, signatures and ticket numbers out of a ticket's text; titles and
  keywords from what several tickets share.
- `steps`: flow-step wording (stemmed step keys, Jaccard similarity, short labels).
- `intent`: engineers' wording for script requests (synonyms, typos).
"""
