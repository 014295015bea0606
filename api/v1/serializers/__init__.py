"""Serializers of API v1, one module per app. Output serializers name every field they
show; writes have their own input serializers (``*Input``), which refuse unknown fields."""
