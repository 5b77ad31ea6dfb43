"""Open Referral HSDS 3.0: our listings as HSDS records (records.py), the API profile under
/api/hsds/ (views.py), files in and out (files.py, importer.py), and our vocabularies as HSDS
taxonomies (vocabulary.py). The specification's schemas are in spec/, unmodified."""
