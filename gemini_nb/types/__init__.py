"""Typed messages of the Gemini API: snake_case in Python, camelCase on the wire.

Requests are built strictly (unknown fields are errors); responses are read tolerantly
(unknown fields are kept in ``model_extra``).

The client-side classes you may annotate with (streams, pagers, chats, Live sessions) are here
too, loaded on first use: ``Stream``, ``AsyncStream``, ``Pager``, ``AsyncPager``, ``Chat``,
``AsyncChat``, ``LiveSession``, ``AsyncLiveSession``. So are the Live API's types
(``LiveConnectConfig``, ``LiveServerMessage``, …) and the ephemeral tokens' (``AuthToken``, …).
"""

from __future__ import annotations

import typing as _typing

from ._base import Base64Bytes, HttpInfo, ResponseModel, WireModel, parse_response, to_wire
from .batches import (
    AsyncBatchJob,
    BatchJob,
    BatchJobDestination,
    BatchJobSource,
    BatchStats,
    CreateBatchJobConfig,
    CreateEmbeddingsBatchJobConfig,
    EmbedContentBatch,
    EmbeddingsBatchJobSource,
    InlinedEmbedContentResponse,
    InlinedRequest,
    InlinedResponse,
    JobState,
    ListBatchJobsConfig,
    SingleEmbedContentResponse,
)
from .caches import (
    CachedContent,
    CachedContentUsageMetadata,
    CreateCachedContentConfig,
    ListCachedContentsConfig,
    UpdateCachedContentConfig,
)
from .content import (
    Blob,
    CodeExecutionResult,
    Content,
    ExecutableCode,
    FileData,
    FunctionCall,
    FunctionResponse,
    FunctionResponseBlob,
    FunctionResponsePart,
    Part,
    PartMediaResolution,
    ToolCall,
    ToolResponse,
    VideoMetadata,
)
from .file_search import (
    ChunkingConfig,
    CreateFileSearchStoreConfig,
    CustomMetadata,
    DeleteDocumentConfig,
    DeleteFileSearchStoreConfig,
    Document,
    DocumentState,
    FileSearchStore,
    ImportFileConfig,
    ImportFileResponse,
    ListDocumentsConfig,
    ListFileSearchStoresConfig,
    StringList,
    UploadToFileSearchStoreConfig,
    UploadToFileSearchStoreResponse,
    WhiteSpaceConfig,
)
from .files import (
    DownloadFileConfig,
    File,
    FileState,
    ListFilesConfig,
    UploadFileConfig,
    VideoFileMetadata,
)
from .generation import (
    AutomaticFunctionCallingConfig,
    GenerateContentConfig,
    GenerationConfig,
    ImageConfig,
    MultiSpeakerVoiceConfig,
    PrebuiltVoiceConfig,
    SafetySetting,
    SpeakerVoiceConfig,
    SpeechConfig,
    ThinkingConfig,
    VoiceConfig,
)
from .http import HttpOptions
from .models import Model
from .operations import AsyncOperation, Operation, Status
from .responses import (
    Candidate,
    Citation,
    CitationMetadata,
    CitationSource,
    GenerateContentResponse,
    GroundingChunk,
    GroundingMetadata,
    GroundingSupport,
    ModalityTokenCount,
    PromptFeedback,
    SafetyRating,
    SearchEntryPoint,
    Segment,
    UrlContextMetadata,
    UrlMetadata,
    UsageMetadata,
)
from .tokens import ContentEmbedding, CountTokensResponse, EmbedContentConfig, EmbedContentResponse
from .tools import (
    CodeExecution,
    DynamicRetrievalConfig,
    FileSearch,
    FunctionCallingConfig,
    FunctionDeclaration,
    GoogleMaps,
    GoogleSearch,
    GoogleSearchRetrieval,
    LatLng,
    RetrievalConfig,
    Schema,
    Tool,
    ToolConfig,
    UrlContext,
)

if _typing.TYPE_CHECKING:
    from .._pager import AsyncPager, Pager
    from .._streaming import AsyncStream, Stream
    from ..resources.chats import AsyncChat, Chat
    from ..resources.live import AsyncLiveSession, LiveSession
    from .auth_tokens import AuthToken, CreateAuthTokenConfig, LiveConnectConstraints
    from .live import (
        AudioTranscriptionConfig,
        AutomaticActivityDetection,
        ContextWindowCompressionConfig,
        HistoryConfig,
        LiveConnectConfig,
        LiveReconnect,
        LiveServerContent,
        LiveServerGoAway,
        LiveServerMessage,
        LiveServerSessionResumptionUpdate,
        LiveServerSetupComplete,
        LiveServerToolCall,
        LiveServerToolCallCancellation,
        LiveUsageMetadata,
        ProactivityConfig,
        RealtimeInputConfig,
        SessionResumptionConfig,
        SlidingWindow,
        Transcription,
        VoiceActivity,
        VoiceActivityDetectionSignal,
    )

_LIVE_TYPES = (
    "AudioTranscriptionConfig", "AutomaticActivityDetection", "ContextWindowCompressionConfig",
    "HistoryConfig", "LiveConnectConfig", "LiveReconnect", "LiveServerContent",
    "LiveServerGoAway", "LiveServerMessage", "LiveServerSessionResumptionUpdate",
    "LiveServerSetupComplete", "LiveServerToolCall", "LiveServerToolCallCancellation",
    "LiveUsageMetadata", "ProactivityConfig", "RealtimeInputConfig", "SessionResumptionConfig",
    "SlidingWindow", "Transcription", "VoiceActivity", "VoiceActivityDetectionSignal",
)  # fmt: skip

_CLIENT_SIDE = {
    "AsyncChat": "..resources.chats",
    "AsyncLiveSession": "..resources.live",
    "AsyncPager": ".._pager",
    "AsyncStream": ".._streaming",
    "Chat": "..resources.chats",
    "LiveSession": "..resources.live",
    "Pager": ".._pager",
    "Stream": ".._streaming",
    # Loaded on first use too, so that importing the types stays as cheap as it was.
    **dict.fromkeys(_LIVE_TYPES, ".live"),
    **dict.fromkeys(("AuthToken", "CreateAuthTokenConfig", "LiveConnectConstraints"), ".auth_tokens"),
}


def __getattr__(name: str) -> _typing.Any:
    # Loaded on first use: these modules import the transport, which imports this package.
    module = _CLIENT_SIDE.get(name)
    if module is None:
        raise AttributeError(f"module 'gemini_nb.types' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AsyncBatchJob",
    "AsyncChat",
    "AsyncLiveSession",
    "AsyncOperation",
    "AsyncPager",
    "AsyncStream",
    "AudioTranscriptionConfig",
    "AuthToken",
    "AutomaticActivityDetection",
    "AutomaticFunctionCallingConfig",
    "Base64Bytes",
    "BatchJob",
    "BatchJobDestination",
    "BatchJobSource",
    "BatchStats",
    "Blob",
    "CachedContent",
    "CachedContentUsageMetadata",
    "Candidate",
    "Chat",
    "ChunkingConfig",
    "Citation",
    "CitationMetadata",
    "CitationSource",
    "CodeExecution",
    "CodeExecutionResult",
    "Content",
    "ContentEmbedding",
    "ContextWindowCompressionConfig",
    "CountTokensResponse",
    "CreateAuthTokenConfig",
    "CreateBatchJobConfig",
    "CreateCachedContentConfig",
    "CreateEmbeddingsBatchJobConfig",
    "CreateFileSearchStoreConfig",
    "CustomMetadata",
    "DeleteDocumentConfig",
    "DeleteFileSearchStoreConfig",
    "Document",
    "DocumentState",
    "DownloadFileConfig",
    "DynamicRetrievalConfig",
    "EmbedContentBatch",
    "EmbedContentConfig",
    "EmbedContentResponse",
    "EmbeddingsBatchJobSource",
    "ExecutableCode",
    "File",
    "FileData",
    "FileSearch",
    "FileSearchStore",
    "FileState",
    "FunctionCall",
    "FunctionCallingConfig",
    "FunctionDeclaration",
    "FunctionResponse",
    "FunctionResponseBlob",
    "FunctionResponsePart",
    "GenerateContentConfig",
    "GenerateContentResponse",
    "GenerationConfig",
    "GoogleMaps",
    "GoogleSearch",
    "GoogleSearchRetrieval",
    "GroundingChunk",
    "GroundingMetadata",
    "GroundingSupport",
    "HistoryConfig",
    "HttpInfo",
    "HttpOptions",
    "ImageConfig",
    "ImportFileConfig",
    "ImportFileResponse",
    "InlinedEmbedContentResponse",
    "InlinedRequest",
    "InlinedResponse",
    "JobState",
    "LatLng",
    "ListBatchJobsConfig",
    "ListCachedContentsConfig",
    "ListDocumentsConfig",
    "ListFileSearchStoresConfig",
    "ListFilesConfig",
    "LiveConnectConfig",
    "LiveConnectConstraints",
    "LiveReconnect",
    "LiveServerContent",
    "LiveServerGoAway",
    "LiveServerMessage",
    "LiveServerSessionResumptionUpdate",
    "LiveServerSetupComplete",
    "LiveServerToolCall",
    "LiveServerToolCallCancellation",
    "LiveSession",
    "LiveUsageMetadata",
    "ModalityTokenCount",
    "Model",
    "MultiSpeakerVoiceConfig",
    "Operation",
    "Pager",
    "Part",
    "PartMediaResolution",
    "PrebuiltVoiceConfig",
    "ProactivityConfig",
    "PromptFeedback",
    "RealtimeInputConfig",
    "ResponseModel",
    "RetrievalConfig",
    "SafetyRating",
    "SafetySetting",
    "Schema",
    "SearchEntryPoint",
    "Segment",
    "SessionResumptionConfig",
    "SingleEmbedContentResponse",
    "SlidingWindow",
    "SpeakerVoiceConfig",
    "SpeechConfig",
    "Status",
    "Stream",
    "StringList",
    "ThinkingConfig",
    "Tool",
    "ToolCall",
    "ToolConfig",
    "ToolResponse",
    "Transcription",
    "UpdateCachedContentConfig",
    "UploadFileConfig",
    "UploadToFileSearchStoreConfig",
    "UploadToFileSearchStoreResponse",
    "UrlContext",
    "UrlContextMetadata",
    "UrlMetadata",
    "UsageMetadata",
    "VideoFileMetadata",
    "VideoMetadata",
    "VoiceActivity",
    "VoiceActivityDetectionSignal",
    "VoiceConfig",
    "WhiteSpaceConfig",
    "WireModel",
    "parse_response",
    "to_wire",
]
