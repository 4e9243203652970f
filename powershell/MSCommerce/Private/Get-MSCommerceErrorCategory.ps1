function Get-MSCommerceErrorCategory {
    <#
    .SYNOPSIS
        Maps an HTTP status code to an ErrorCategory.

    .DESCRIPTION
        400, 413 and 422 InvalidArgument; 401 AuthenticationError; 403 PermissionDenied; 404 ObjectNotFound;
        405, 409 and 412 InvalidOperation; 415 InvalidType; 429 LimitsExceeded;
        503 ResourceUnavailable; anything else NotSpecified.

    .PARAMETER StatusCode
        The HTTP status code.

    .EXAMPLE
        Get-MSCommerceErrorCategory -StatusCode 404

        Returns ObjectNotFound.

    .OUTPUTS
        System.Management.Automation.ErrorCategory.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorCategory])]
    param(
        [Parameter(Mandatory)]
        [int]$StatusCode
    )

    $name = switch ($StatusCode) {
        400 { 'InvalidArgument' }
        401 { 'AuthenticationError' }
        403 { 'PermissionDenied' }
        404 { 'ObjectNotFound' }
        405 { 'InvalidOperation' }
        # The service's 409s are conflicts with the resource's current state (too few licenses, not a
        # self-service subscription), not duplicates.
        409 { 'InvalidOperation' }
        412 { 'InvalidOperation' }
        413 { 'InvalidArgument' }
        415 { 'InvalidType' }
        422 { 'InvalidArgument' }
        429 { 'LimitsExceeded' }
        503 { 'ResourceUnavailable' }
        default { 'NotSpecified' }
    }
    return [System.Management.Automation.ErrorCategory]$name
}
