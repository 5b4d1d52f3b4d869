"""X12 5010 codecs: tokenizer, envelope writer, builders, parsers, validation."""
