# How failures become ErrorRecords: categories, ErrorIds, Microsoft's message shapes, and a 401 that names its cause.

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'New-MSCommerceHttpErrorRecord' {
    It 'Should map <StatusCode> <ErrorCode> to the category <Category>' -ForEach @(
        @{ StatusCode = 400; ErrorCode = 'InvalidPolicyValue'; Category = 'InvalidArgument' }
        @{ StatusCode = 400; ErrorCode = 'BadRequest'; Category = 'InvalidArgument' }
        @{ StatusCode = 401; ErrorCode = 'TokenExpired'; Category = 'AuthenticationError' }
        @{ StatusCode = 403; ErrorCode = 'Forbidden'; Category = 'PermissionDenied' }
        @{ StatusCode = 404; ErrorCode = 'ProductNotFound'; Category = 'ObjectNotFound' }
        @{ StatusCode = 404; ErrorCode = 'PolicyNotFound'; Category = 'ObjectNotFound' }
        @{ StatusCode = 409; ErrorCode = 'Conflict'; Category = 'InvalidOperation' }
        @{ StatusCode = 415; ErrorCode = 'UnsupportedMediaType'; Category = 'InvalidType' }
        @{ StatusCode = 503; ErrorCode = 'NotReady'; Category = 'ResourceUnavailable' }
        @{ StatusCode = 500; ErrorCode = 'InternalError'; Category = 'NotSpecified' }
    ) {
        $record = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ StatusCode = $StatusCode; ErrorCode = $ErrorCode } -ScriptBlock {
            param($StatusCode, $ErrorCode)
            $body = '{"errorCode":"' + $ErrorCode + '","reason":"Because."}'
            New-MSCommerceHttpErrorRecord -StatusCode $StatusCode -Body $body -ExceptionMessage 'HTTP error' -Context 'Failed to update product policy' -TargetObject 'CFQ7TTC0H9MP'
        }
        $record.CategoryInfo.Category | Should -Be $Category
        $record.FullyQualifiedErrorId | Should -BeLike "$ErrorCode*"
        $record.TargetObject | Should -Be 'CFQ7TTC0H9MP'
        $record.Exception.Data['StatusCode'] | Should -Be $StatusCode
        $record.Exception.Data['ErrorCode'] | Should -Be $ErrorCode
        $record.Exception.Data['Reason'] | Should -Be 'Because.'
    }

    It 'Should keep Microsoft''s message shape (context, ErrorMessage, ErrorDetails) for non-401 errors' {
        $record = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $body = '{"errorCode":"ProductNotFound","reason":"Product NOPE does not exist."}'
            New-MSCommerceHttpErrorRecord -StatusCode 404 -Body $body -ExceptionMessage 'Response status code does not indicate success: 404 (Not Found).' -Context "Failed to retrieve product policy with PolicyId 'AllowSelfServicePurchase' ProductId 'NOPE'"
        }
        $record.Exception.Message | Should -BeExactly ("Failed to retrieve product policy with PolicyId 'AllowSelfServicePurchase' ProductId 'NOPE', " +
            'ErrorMessage - Response status code does not indicate success: 404 (Not Found). ' +
            'ErrorDetails - {"errorCode":"ProductNotFound","reason":"Product NOPE does not exist."}')
    }

    It 'Should use HttpStatus and the code as ErrorId when the body is not the service''s envelope' {
        $record = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            New-MSCommerceHttpErrorRecord -StatusCode 502 -Body '<html>Bad gateway</html>' -ExceptionMessage 'Bad Gateway' -Context 'Failed to retrieve policies'
        }
        $record.FullyQualifiedErrorId | Should -BeLike 'HttpStatus502*'
    }

    It 'Should report a timeout as OperationTimeout' {
        $record = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            New-MSCommerceHttpErrorRecord -StatusCode 0 -IsTimeout -ExceptionMessage 'The operation has timed out.' -Context 'Failed to retrieve policies' -Uri 'http://mscommerce.test/v1.0/policies'
        }
        $record.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $record.FullyQualifiedErrorId | Should -BeLike 'RequestTimeout*'
    }
}

Describe 'Messages of a 401' {
    It 'Should keep Microsoft''s exact text for an expired token' {
        $record = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            New-MSCommerceHttpErrorRecord -StatusCode 401 -Body '{"errorCode":"TokenExpired","reason":"The token expired at 2026-11-25T06:30:00Z."}' -ExceptionMessage 'Unauthorized' -Context 'Failed to retrieve policies'
        }
        $record.Exception.Message | Should -BeExactly 'Your credentials have expired. Please, call Connect-MSCommerce again to regain access to MSCommerce Module.'
        $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'Should say "<Expected>" for <ErrorCode>, not that credentials expired' -ForEach @(
        @{ ErrorCode = 'TokenMissing'; Expected = 'You are not signed in: the request carried no access token.*' }
        @{ ErrorCode = 'TokenInvalidAudience'; Expected = 'You are not signed in to this service: the access token was issued for another service (audience).*' }
        @{ ErrorCode = 'TokenInvalidIssuer'; Expected = 'You are not signed in to this service: the access token comes from an issuer it does not trust.*' }
        @{ ErrorCode = 'TokenMalformed'; Expected = 'The access token is not a JWT*' }
        @{ ErrorCode = 'TokenUnsupportedAlgorithm'; Expected = 'The access token is signed with an algorithm this service refuses.*' }
        @{ ErrorCode = 'TokenUnknownKey'; Expected = 'The access token is signed with a key this service does not know*' }
        @{ ErrorCode = 'TokenInvalidSignature'; Expected = 'The access token signature does not verify*' }
        @{ ErrorCode = 'TokenNotYetValid'; Expected = 'The access token is not valid yet*' }
        @{ ErrorCode = 'TokenInvalidClaims'; Expected = 'The access token lacks a claim this service requires*' }
        @{ ErrorCode = 'invalid_client'; Expected = 'Unable to establish connection: the client ID or the client secret was not accepted.*' }
    ) {
        $record = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ ErrorCode = $ErrorCode } -ScriptBlock {
            param($ErrorCode)
            $body = '{"errorCode":"' + $ErrorCode + '","reason":"The service says why."}'
            New-MSCommerceHttpErrorRecord -StatusCode 401 -Body $body -ExceptionMessage 'Unauthorized' -Context 'Failed to retrieve policies'
        }
        $record.Exception.Message | Should -BeLike $Expected
        $record.Exception.Message | Should -BeLike '*Service reason: The service says why.'
        $record.Exception.Message | Should -Not -BeLike '*credentials have expired*'
        $record.FullyQualifiedErrorId | Should -BeLike "$ErrorCode*"
        $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}

Describe 'Messages of a 401 with an errorCode the module does not know' {
    It 'Should keep the generic message, which shows the body' {
        $record = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            New-MSCommerceHttpErrorRecord -StatusCode 401 -Body '{"errorCode":"SomethingNew","reason":"Why."}' -ExceptionMessage 'Unauthorized' -Context 'Failed to retrieve policies'
        }
        $record.Exception.Message | Should -BeExactly 'Failed to retrieve policies, ErrorMessage - Unauthorized ErrorDetails - {"errorCode":"SomethingNew","reason":"Why."}'
        $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}

Describe 'Get-MSCommerceFailureInfo' {
    It 'Should read the status code from the response and the body from ErrorDetails (PowerShell 7 shape)' {
        $failure = [pscustomobject]@{
            Exception    = [pscustomobject]@{ Message = 'Response status code does not indicate success: 403 (Forbidden).'; Response = [pscustomobject]@{ StatusCode = 403 }; InnerException = $null }
            ErrorDetails = [pscustomobject]@{ Message = '{"errorCode":"Forbidden","reason":"Global Reader cannot change policies."}' }
        }
        $info = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Failure = $failure } -ScriptBlock {
            param($Failure)
            Get-MSCommerceFailureInfo -Failure $Failure
        }
        $info.StatusCode | Should -Be 403
        $info.Body | Should -Be '{"errorCode":"Forbidden","reason":"Global Reader cannot change policies."}'
        $info.IsTimeout | Should -BeFalse
    }

    It 'Should give status code 0 when no answer came' {
        $failure = [pscustomobject]@{
            Exception    = New-Object -TypeName System.Net.WebException -ArgumentList 'Unable to connect to the remote server'
            ErrorDetails = $null
        }
        $info = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Failure = $failure } -ScriptBlock {
            param($Failure)
            Get-MSCommerceFailureInfo -Failure $Failure
        }
        $info.StatusCode | Should -Be 0
        $info.Body | Should -Be ''
    }

    It 'Should recognize a timeout' {
        $failure = [pscustomobject]@{
            Exception    = New-Object -TypeName System.Threading.Tasks.TaskCanceledException -ArgumentList 'The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.'
            ErrorDetails = $null
        }
        $info = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Failure = $failure } -ScriptBlock {
            param($Failure)
            Get-MSCommerceFailureInfo -Failure $Failure
        }
        $info.IsTimeout | Should -BeTrue
    }
}

Describe 'Write-MSCommerceError' {
    It 'Should stop the command for <Category> and only report <Other>' -ForEach @(
        @{ Category = 'AuthenticationError'; Other = 'ObjectNotFound' }
        @{ Category = 'ConnectionError'; Other = 'PermissionDenied' }
    ) {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.policyId -eq 'stop' } -MockWith {
            $exception = New-Object -TypeName System.Exception -ArgumentList 'stop'
            throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'Stop', $Category, $null)
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.policyId -eq 'go' } -MockWith {
            $exception = New-Object -TypeName System.Exception -ArgumentList 'go on'
            throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'GoOn', $Other, $null)
        }
        { Get-MSCommercePolicy -PolicyId 'stop' -ErrorAction SilentlyContinue } | Should -Throw -ExpectedMessage 'stop'
        { Get-MSCommercePolicy -PolicyId 'go' -ErrorAction SilentlyContinue } | Should -Not -Throw
    }
}
