\echo Use "CREATE EXTENSION foray_substrate" to load this file. \quit
