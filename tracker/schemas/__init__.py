"""marshmallow schemas: they check the shape of input and document output; services check meaning."""
