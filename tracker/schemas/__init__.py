"""marshmallow schemas: they check the shape of input and document output.

Services check meaning.
"""
