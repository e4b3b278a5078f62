"""Know the cost before you spend it: local token counts, prices, and cost estimates.

>>> from gemini_nb.tokens import LocalTokenizer, estimate_cost, cost_of_usage
>>> LocalTokenizer("gemini-2.5-flash").count_tokens("How long is this?")  # doctest: +SKIP
>>> client.models.count_tokens(model="gemini-2.5-flash", contents=rows, local=True)  # doctest: +SKIP
>>> estimate_cost(df, template="Label: {text}", model="gemini-2.5-flash", output_tokens=5)  # doctest: +SKIP
>>> cost_of_usage("gemini-2.5-flash", response.usage_metadata).total  # doctest: +SKIP

* :class:`LocalTokenizer` counts text with the model's own tokenizer (Gemma 3 SentencePiece
  for Gemini 2.x and 3.0, Gemma 4 for 3.1 and 3.5), fetched once and checked by SHA-256;
  ``pip install "gemini-nb[tokens]"``. Nothing is fetched or imported at import time.
* :func:`prices` is the price table (USD per 1M tokens, with the date and page it was read
  from); :func:`set_prices` and ``GEMINI_NB_PRICES`` override or extend it. A model it lacks
  has an unknown cost, never a guessed one.
* :func:`cost_of_usage` prices one response; :func:`estimate_cost` a whole job before it runs.
"""

from __future__ import annotations

from ._errors import (
    TokenizerError,
    TokenizerIntegrityError,
    TokenizerUnavailableError,
    UncountableContentError,
)
from ._estimate import CostEstimate, estimate_cost
from ._files import MODEL_TOKENIZERS, TOKENIZER_FILES, TokenizerFile, cache_dir, tokenizer_name_for
from ._pricing import (
    Cost,
    Price,
    PriceTable,
    Rates,
    cost_of_usage,
    format_usd,
    price_for,
    prices,
    reset_prices,
    set_prices,
)
from ._tokenizer import ComputeTokensResult, LocalTokenizer, TokensInfo

__all__ = [
    "MODEL_TOKENIZERS",
    "TOKENIZER_FILES",
    "ComputeTokensResult",
    "Cost",
    "CostEstimate",
    "LocalTokenizer",
    "Price",
    "PriceTable",
    "Rates",
    "TokenizerError",
    "TokenizerFile",
    "TokenizerIntegrityError",
    "TokenizerUnavailableError",
    "TokensInfo",
    "UncountableContentError",
    "cache_dir",
    "cost_of_usage",
    "estimate_cost",
    "format_usd",
    "price_for",
    "prices",
    "reset_prices",
    "set_prices",
    "tokenizer_name_for",
]
