function New-MSCommerceHttpErrorRecord {
    <#
    .SYNOPSIS
        Builds the ErrorRecord for a failed request from its status code and body.

    .DESCRIPTION
        ErrorId is the service's errorCode (from the body {"errorCode","reason"}), else 'HttpStatus<code>';
        'ConnectionFailed' or 'RequestTimeout' when no answer came. Category: 400, 413 and 422 InvalidArgument,
        401 AuthenticationError, 403 PermissionDenied, 404 ObjectNotFound, 405, 409 and 412 InvalidOperation,
        415 InvalidType, 429 LimitsExceeded, 503 ResourceUnavailable, other codes
        NotSpecified; no answer ConnectionError or OperationTimeout.
        The message keeps the shape of Microsoft's module,
        '<Context>, ErrorMessage - <exception message> ErrorDetails - <response body>', except for a 401 with a
        known errorCode, whose message names the real cause (see Get-MSCommerceAuthenticationMessage); an expired
        token keeps Microsoft's exact text. Status code, errorCode, reason, body, correlation id and URL are in
        the exception's Data dictionary.

    .PARAMETER StatusCode
        The HTTP status code, 0 when no answer came.

    .PARAMETER Body
        The answer's body.

    .PARAMETER ExceptionMessage
        The message of the exception Invoke-WebRequest threw.

    .PARAMETER IsTimeout
        No answer came in time.

    .PARAMETER InnerException
        The exception Invoke-WebRequest threw.

    .PARAMETER Context
        The first part of the message, as in Microsoft's module.

    .PARAMETER TargetObject
        What the request was about.

    .PARAMETER CorrelationId
        The x-ms-correlation-id the request carried.

    .PARAMETER Uri
        The URL of the request.

    .EXAMPLE
        New-MSCommerceHttpErrorRecord -StatusCode 404 -Body '{"errorCode":"ProductNotFound","reason":"..."}' -ExceptionMessage 'Not Found' -Context 'Failed to update product policy'

        Returns an ErrorRecord with ErrorId ProductNotFound and category ObjectNotFound.

    .OUTPUTS
        System.Management.Automation.ErrorRecord.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Creates an object in memory; changes no state.')]
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        [int]$StatusCode,

        [string]$Body,

        [string]$ExceptionMessage,

        [switch]$IsTimeout,

        [System.Exception]$InnerException,

        [Parameter(Mandatory)]
        [string]$Context,

        [object]$TargetObject,

        [string]$CorrelationId,

        [string]$Uri
    )

    $errorCode = ''
    $reason = ''
    if (-not [string]::IsNullOrWhiteSpace($Body)) {
        try {
            $parsed = ConvertFrom-Json -InputObject $Body -ErrorAction Stop
            $errorCode = [string]$parsed.errorCode
            $reason = [string]$parsed.reason
            # The OAuth endpoints answer RFC 6749's {"error","error_description"}, as Entra does.
            if ([string]::IsNullOrEmpty($errorCode)) {
                $errorCode = [string]$parsed.error
                $reason = [string]$parsed.error_description
            }
        }
        catch {
            Write-Debug -Message "The error body is not JSON: $($_.Exception.Message)"
        }
    }

    $recommendedAction = ''
    if ($StatusCode -eq 0) {
        if ($IsTimeout) {
            $errorId = 'RequestTimeout'
            $category = 'OperationTimeout'
            $details = "The service at '$Uri' did not answer in time."
        }
        else {
            $errorId = 'ConnectionFailed'
            $category = 'ConnectionError'
            $details = "The service at '$Uri' cannot be reached."
            $details += ' Check the -Uri of Connect-MSCommerce (or $env:MSCOMMERCE_URI) and that the service runs.'
        }
        $message = '{0}, ErrorMessage - {1} ErrorDetails - {2}' -f $Context, $ExceptionMessage, $details
    }
    else {
        $errorId = $errorCode
        if ([string]::IsNullOrEmpty($errorId)) {
            $errorId = 'HttpStatus{0}' -f $StatusCode
        }
        $category = Get-MSCommerceErrorCategory -StatusCode $StatusCode
        $message = '{0}, ErrorMessage - {1} ErrorDetails - {2}' -f $Context, $ExceptionMessage, $Body
        if ($StatusCode -eq 401) {
            $cause = Get-MSCommerceAuthenticationMessage -ErrorCode $errorCode -Reason $reason
            if (-not [string]::IsNullOrEmpty($cause)) {
                $message = $cause
            }
            $recommendedAction = 'Call Connect-MSCommerce again, or pass a valid token with -Token.'
        }
    }

    $splatRecord = @{
        Message           = $message
        ErrorId           = $errorId
        Category          = $category
        TargetObject      = $TargetObject
        InnerException    = $InnerException
        RecommendedAction = $recommendedAction
        Data              = @{
            StatusCode    = $StatusCode
            ErrorCode     = $errorCode
            Reason        = $reason
            ResponseBody  = $Body
            CorrelationId = $CorrelationId
            Uri           = $Uri
        }
    }
    return New-MSCommerceErrorRecord @splatRecord
}
