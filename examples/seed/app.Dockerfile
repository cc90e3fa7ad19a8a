FROM example-base-image
COPY . /var/www/app
EXPOSE 3000
CMD ["httpd", "-f", "-p", "3000", "-h", "/var/www/app/public"]
